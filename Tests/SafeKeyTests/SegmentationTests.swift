import Foundation
import XCTest
import SafeKey

/// Table-driven checks of the improved segmenter on each tricky case of issue 8 item 1, and of the
/// reference mode on the same inputs (what the reference's regex does there).
final class SegmentationTests: XCTestCase {
    struct Case {
        let name: String
        let text: String
        let improved: [String]
        let reference: [String]
    }

    static let cases: [Case] = [
        Case(name: "ordinary prose", text: "Okay, so the user asks X. Hmm, that's concerning? I should refuse.",
             improved: ["Okay, so the user asks X.", "Hmm, that's concerning?", "I should refuse."],
             reference: ["Okay, so the user asks X.", "Hmm, that's concerning?", "I should refuse."]),
        Case(name: "exclamation", text: "Wow! That is bad. Really?! Yes.",
             improved: ["Wow!", "That is bad.", "Really?!", "Yes."],
             reference: ["Wow! That is bad.", "Really?! Yes."]),
        Case(name: "line breaks and list items", text: "Options:\n- refuse\n- comply\n\n1. First step.\n2. Second step.",
             improved: ["Options:", "- refuse", "- comply", "1. First step.", "2. Second step."],
             reference: ["Options:\n- refuse\n- comply\n\n1.", "First step.", "2.", "Second step."]),
        Case(name: "lettered and roman list markers", text: "a. alpha\n  b. beta\niv. four.",
             improved: ["a. alpha", "b. beta", "iv. four."],
             reference: ["a.", "alpha\n  b.", "beta\niv.", "four."]),
        Case(name: "latin abbreviations", text: "Use a tool, e.g. a hammer. Or i.e. not. Compare cf. Smith.",
             improved: ["Use a tool, e.g. a hammer.", "Or i.e. not.", "Compare cf. Smith."],
             reference: ["Use a tool, e.g.", "a hammer.", "Or i.e.", "not.", "Compare cf.", "Smith."]),
        Case(name: "titles", text: "Mr. Smith met Dr. Jones and Mrs. Lee. They talked.",
             improved: ["Mr. Smith met Dr. Jones and Mrs. Lee.", "They talked."],
             reference: ["Mr.", "Smith met Dr.", "Jones and Mrs.", "Lee.", "They talked."]),
        Case(name: "initialisms", text: "Laws in the U.S. differ. The U.S. government is large. It is.",
             improved: ["Laws in the U.S. differ.", "The U.S. government is large.", "It is."],
             reference: ["Laws in the U.S.", "differ.", "The U.S.", "government is large.", "It is."]),
        Case(name: "initialism at sentence end", text: "I live in the U.S. The weather is fine.",
             improved: ["I live in the U.S.", "The weather is fine."],
             reference: ["I live in the U.S.", "The weather is fine."]),
        Case(name: "etc", text: "Apples, pears, etc. are fruit. I like cats, dogs, etc. They are nice.",
             improved: ["Apples, pears, etc. are fruit.", "I like cats, dogs, etc.", "They are nice."],
             reference: ["Apples, pears, etc.", "are fruit.", "I like cats, dogs, etc.", "They are nice."]),
        Case(name: "initials before a name", text: "A book by J.K. Rowling and Viktor E. Frankl. Then U.S. Army. About X. Hmm, ok.",
             improved: ["A book by J.K. Rowling and Viktor E. Frankl.", "Then U.S. Army.", "About X.", "Hmm, ok."],
             reference: ["A book by J.K.", "Rowling and Viktor E.", "Frankl.", "Then U.S.", "Army.", "About X.", "Hmm, ok."]),
        Case(name: "personal initials", text: "J. K. Rowling wrote it. She is British.",
             improved: ["J. K. Rowling wrote it.", "She is British."],
             reference: ["J.", "K.", "Rowling wrote it.", "She is British."]),
        Case(name: "decimals", text: "It costs 3.50 dollars or 2.5 euros. Pi is 3.14. Next.",
             improved: ["It costs 3.50 dollars or 2.5 euros.", "Pi is 3.14.", "Next."],
             reference: ["It costs 3.50 dollars or 2.5 euros.", "Pi is 3.14.", "Next."]),
        Case(name: "question inside quotes", text: "The user asks, \"Is it worth it?\" That's heavy.",
             improved: ["The user asks, \"Is it worth it?\"", "That's heavy."],
             reference: ["The user asks, \"Is it worth it?\" That's heavy."]),
        Case(name: "quote then lower case", text: "He asked \u{201C}why?\u{201D} and left. Fine.",
             improved: ["He asked \u{201C}why?\u{201D} and left.", "Fine."],
             reference: ["He asked \u{201C}why?\u{201D} and left.", "Fine."]),
        Case(name: "brackets and emphasis after the stop", text: "See this (it is old.) Then go. **Step 1.** Do it.",
             improved: ["See this (it is old.)", "Then go.", "**Step 1.**", "Do it."],
             reference: ["See this (it is old.) Then go.", "**Step 1.** Do it."]),
        Case(name: "ellipses", text: "Wait... that's odd. Hmm… maybe. Four.... dots. Then...\nNew line.",
             improved: ["Wait... that's odd.", "Hmm… maybe.", "Four.... dots.", "Then...", "New line."],
             reference: ["Wait... that's odd.", "Hmm… maybe.", "Four.... dots.", "Then...\nNew line."]),
        Case(name: "ellipsis then question", text: "Is it...? Yes.",
             improved: ["Is it...?", "Yes."], reference: ["Is it...?", "Yes."]),
        Case(name: "unicode whitespace", text: "One.\u{00A0}Two.\u{2003}Three.\u{3000}Four.",
             improved: ["One.", "Two.", "Three.", "Four."], reference: ["One.", "Two.", "Three.", "Four."]),
        Case(name: "emoji and combining marks", text: "Great 👍🏽. Caf\u{65}\u{301} now? 🇯🇵 flag.",
             improved: ["Great 👍🏽.", "Caf\u{65}\u{301} now?", "🇯🇵 flag."],
             reference: ["Great 👍🏽.", "Caf\u{65}\u{301} now?", "🇯🇵 flag."]),
        Case(name: "no stop", text: "no stop at all", improved: ["no stop at all"], reference: ["no stop at all"]),
    ]

    func testTrickyCasesTable() {
        for c in Self.cases {
            let t = ScalarText(c.text)
            for (mode, want) in [(SentenceSegmenter.Mode.improved, c.improved), (.reference, c.reference)] {
                let got = SentenceSegmenter(mode: mode).sentences(in: t, range: 0..<t.count).map { t.string($0) }
                XCTAssertEqual(got, want, "\(c.name) [\(mode)]")
            }
        }
    }

    /// Sentence ranges are absolute offsets into the normalised response, in scalars.
    func testRangesAreResponseOffsets() throws {
        guard case .success(let r) = NormalizedResponse.normalize("<think> 👍🏽 Hi. Then. </think> x") else { return XCTFail() }
        let s = SentenceSegmenter().sentences(in: r)
        XCTAssertEqual(s, [8..<14, 15..<20])
        XCTAssertEqual(r.text.string(s[0]), "👍🏽 Hi.")
    }
}
