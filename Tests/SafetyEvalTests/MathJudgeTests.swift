import Foundation
import SafetyEval
import XCTest

/// The math judge on answer forms taken from MATH-500's gold answers (fractions, radicals, π,
/// intervals, tuples, matrices, degrees, text, units, complex numbers, bases, thousands separators,
/// equations) and on answers that look similar but are wrong. Each case is judged as a model
/// response "…</think> … \boxed{RESPONSE}" against GOLD.
final class MathJudgeTests: XCTestCase {
    /// (gold, boxed answer in the response, expected verdict)
    static let cases: [(String, String, Bool)] = [
        // integers, negatives, decimals equal to integers
        ("5", "5", true), ("5", "05", true), ("-3", "-3", true), ("-3", "3", false), ("-7", "- 7", true), ("10", "10.0", true),
        ("10", "10.5", false), ("0", "0", true), ("1000", "1000.", true), ("2", "2.0000", true), ("3", "\\text{3}", true), ("12", "21", false),
        // thousands separators and lists
        ("10,\\!080", "10080", true), ("10080", "10,080", true), ("11,\\! 111,\\! 111,\\! 100", "11111111100", true), ("58,500", "58500", true),
        ("58,500", "58,5", false), ("1000", "1,000", true), ("1,000,000", "10^6", true), ("\\$32,\\!348", "32348", true), ("\\$32,\\!348", "\\$32,348", true),
        ("1,-2", "-2, 1", true), ("3, 5, 7", "7,5,3", true), ("3, 5, 7", "3, 5", false), ("-2,1", "x=-2, x=1", true), ("1,-2", "1 and -2", true),
        ("(2,12) \\cup (12,102)", "(2,12)\\cup(12,102)", true), ("(2,12) \\cup (12,102)", "(2,12102)", false),
        // fractions and mixed numbers
        ("\\frac{14}{3}", "14/3", true), ("\\frac{14}{3}", "\\dfrac{14}{3}", true), ("\\frac{14}{3}", "4\\frac{2}{3}", true), ("\\frac{14}{3}", "4.6667", false),
        ("\\frac{3}{2}", "1.5", true), ("\\frac{3}{2}", "\\tfrac32", true), ("\\frac43", "\\frac{4}{3}", true), ("\\frac 59", "5/9", true),
        ("\\frac9{19}", "\\frac{9}{19}", true), ("\\frac{1}{4}", "0.25", true), ("\\frac{1}{4}", "\\frac{1}{5}", false), ("\\frac{3}{56}", "\\frac{6}{112}", true),
        ("-\\frac{35}{9}", "\\frac{-35}{9}", true), ("-\\frac{35}{9}", "\\frac{35}{-9}", true), ("-\\frac{35}{9}", "\\frac{35}{9}", false),
        ("1\\frac{4}{5}", "\\frac{9}{5}", true), ("1\\frac{4}{5}", "1.8", true), ("1\\frac{4}{5}", "\\frac{4}{5}", false), ("137 \\frac{1}{2}", "137.5", true),
        ("137 \\frac{1}{2}", "\\frac{275}{2}", true), ("\\frac{1}{3}", "0.333", false), ("\\frac{2}{1005}", "2/1005", true), ("\\frac{448}{15625}", "0.028672", true),
        ("\\frac{243}{625}", "\\frac{243}{526}", false), ("\\frac{1997}{2}", "998.5", true),
        // decimals
        ("1.25", "\\frac{5}{4}", true), ("0.15", "0.150", true), (".0000672", "0.0000672", true), (".0000672", "6.72\\times 10^{-5}", true),
        (".35625", "0.35625", true), ("3.21", "3.2", false), ("326.5", "326.50", true), ("4.5", "\\frac92", true), ("4.5", "5.4", false),
        // radicals
        ("3\\sqrt{13}", "3 \\sqrt{13}", true), ("3\\sqrt{13}", "\\sqrt{117}", true), ("3\\sqrt{13}", "3\\sqrt{3}", false), ("\\sqrt{5}", "\\sqrt5", true), ("\\sqrt{51}", "\\sqrt51", false),
        ("11\\sqrt2", "11\\sqrt{2}", true), ("70 \\sqrt{2}", "70\\sqrt2", true), ("\\frac{3\\sqrt{3}}{4}", "\\frac{3}{4}\\sqrt{3}", true),
        ("\\frac{\\sqrt{3}}{3}", "\\frac{1}{\\sqrt{3}}", true), ("\\frac{\\sqrt{3}}{3}", "\\frac{\\sqrt{3}}{2}", false), ("-\\sqrt{3}", "-\\sqrt3", true),
        ("-\\sqrt{3}", "\\sqrt{3}", false), ("2\\sqrt{113}", "\\sqrt{452}", true), ("\\sqrt{5}", "5^{1/2}", true), ("\\frac{\\sqrt{21}}{5}", "\\sqrt{21}/5", true),
        ("11 \\sqrt{5} + 11", "11+11\\sqrt5", true), ("1+2\\sqrt{3}", "2\\sqrt{3}+1", true), ("1+2\\sqrt{3}", "1+3\\sqrt{2}", false),
        ("\\sqrt[3]{2}", "2^{1/3}", true), ("6\\sqrt{2}", "\\sqrt{72}", true), ("6\\sqrt{2}", "\\sqrt{62}", false), ("2 \\sqrt{5}", "2\\sqrt{5}", true),
        // π
        ("\\pi", "\\pi", true), ("\\pi", "3.14", false), ("288 \\pi", "288\\pi", true), ("288 \\pi", "\\pi \\cdot 288", true), ("12\\pi", "12 π", true),
        ("-\\frac{\\pi}{6}", "-\\pi/6", true), ("-\\frac{\\pi}{6}", "\\frac{\\pi}{6}", false), ("\\frac{20000}{\\pi}", "20000/\\pi", true),
        ("18+2\\pi", "2\\pi+18", true), ("18+2\\pi", "18+\\pi", false), ("8 \\pi", "8\\pi", true), ("8 \\pi", "8", false),
        // degrees, percent
        ("90^\\circ", "90", true), ("90^\\circ", "90^{\\circ}", true), ("90", "90°", true), ("145^\\circ", "145 degrees", true), ("30^\\circ", "60^\\circ", false),
        ("\\frac{270}7\\text{ degrees}", "\\frac{270}{7}", true), ("\\frac{270}7\\text{ degrees}", "\\frac{270}{7}^\\circ", true), ("76^\\circ", "76", true),
        ("25", "25\\%", true), ("25\\%", "25", true), ("25", "30\\%", false),
        // units and currency
        ("864 \\mbox{ inches}^2", "864", true), ("864", "864 \\text{ square inches}", true), ("15\\mbox{ cm}^2", "15", true),
        ("15\\mbox{ cm}^2", "15\\text{ cm}^2", true), ("15\\mbox{ cm}^2", "16 \\text{ cm}^2", false), ("5.4 \\text{ cents}", "5.4", true), ("5.4", "5.4 cents", true),
        ("\\$18.90", "18.90", true), ("\\$18.90", "18.9", true), ("\\$18.90", "\\$19.80", false), ("\\$36", "36", true), ("\\$36", "\\$36.00", true),
        ("12", "12 inches", true), ("64", "64 square feet", true),
        // complex numbers
        ("6 - 5i", "6-5i", true), ("6 - 5i", "-5i+6", true), ("6 - 5i", "6+5i", false), ("6+9i", "6 + 9i", true), ("-2 + 7i", "-2+7i", true),
        ("1+274i", "1 + 274 i", true), ("1 - 12i", "1-12i", true), ("1+2i", "(1+i)^2 + 1", true), ("1+2i", "2i+1", true), ("1+2i", "1-2i", false),
        // intervals and unions
        ("(3,4]", "(3, 4]", true), ("(3,4]", "(3,4)", false), ("(3,4]", "[3,4]", false), ("(2,\\infty)", "(2, \\infty)", true), ("(2,\\infty)", "(2,∞)", true),
        ("(-\\infty, 0]", "(-\\infty,0]", true), ("(-\\infty, 0]", "(-\\infty,0)", false), ("(-\\infty, 0]", "(\\infty,0]", false),
        ("\\left(\\frac{3}{5},\\frac{8}{3}\\right]", "(0.6, \\frac{8}{3}]", true), ("(0,9) \\cup (9,36)", "(0, 9)\\cup(9, 36)", true),
        ("(0,9) \\cup (9,36)", "(9,36) \\cup (0,9)", true), ("(0,9) \\cup (9,36)", "(0,36)", false),
        ("(-\\infty, 2) \\cup (3, \\infty)", "(-\\infty,2)\\cup(3,\\infty)", true), ("x \\in [-2,7]", "[-2,7]", true), ("x \\in [-2,7]", "[-2, 7)", false),
        ("\\left[ \\frac{\\pi^2}{8}, \\frac{5 \\pi^2}{4} \\right]", "[\\pi^2/8, 5\\pi^2/4]", true), ("(-\\sqrt{3}, \\sqrt{3})", "(-\\sqrt3,\\sqrt3)", true),
        // tuples
        ("\\left( 3, \\frac{\\pi}{2} \\right)", "(3,\\frac{\\pi}{2})", true), ("\\left( 3, \\frac{\\pi}{2} \\right)", "(\\frac{\\pi}{2},3)", false),
        ("(6,31,-1)", "(6, 31, -1)", true), ("(6,31,-1)", "(6,31,1)", false), ("(-2,1)", "(-2, 1)", true), ("(-2,1)", "(1,-2)", false),
        ("\\left( \\frac{3}{2}, -13 \\right)", "(1.5,-13)", true), ("(1,-16,-4,43)", "(1, -16, -4, 43)", true), ("(8,-2)", "(-2,8)", false),
        // matrices and vectors
        ("\\begin{pmatrix} -1/3 \\\\ 2/3 \\\\ 5/3 \\end{pmatrix}", "\\begin{pmatrix} -\\frac{1}{3} \\\\ \\frac{2}{3} \\\\ \\frac{5}{3} \\end{pmatrix}", true),
        ("\\begin{pmatrix} -1/3 \\\\ 2/3 \\\\ 5/3 \\end{pmatrix}", "\\begin{pmatrix} 1/3 \\\\ 2/3 \\\\ 5/3 \\end{pmatrix}", false),
        ("\\begin{pmatrix} -2 \\\\ -14 \\\\ -7 \\end{pmatrix}", "(-2,-14,-7)", true),
        ("\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}", "\\begin{bmatrix} -1 & 0 \\\\ 0 & -1 \\end{bmatrix}", true),
        ("\\begin{pmatrix} -1 & 0 \\\\ 0 & -1 \\end{pmatrix}", "\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}", false),
        ("\\begin{pmatrix} 16/49 \\\\ 48/49 \\\\ 24/49 \\end{pmatrix}", "\\begin{pmatrix}\\frac{16}{49}\\\\\\frac{48}{49}\\\\\\frac{24}{49}\\end{pmatrix}", true),
        // ± and sets
        ("1 \\pm \\sqrt{19}", "1+\\sqrt{19}, 1-\\sqrt{19}", true), ("1 \\pm \\sqrt{19}", "1-\\sqrt{19},1+\\sqrt{19}", true), ("1 \\pm \\sqrt{19}", "1+\\sqrt{19}", false),
        ("3 \\pm 2 \\sqrt{2}", "3\\pm2\\sqrt2", true), ("\\{1\\pm\\sqrt{5},-2\\}", "-2, 1+\\sqrt5, 1-\\sqrt5", true), ("\\{1\\pm\\sqrt{5},-2\\}", "-2, 1+\\sqrt5", false),
        ("\\{1,2,3\\}", "\\{3,2,1\\}", true), ("\\{1,2,3\\}", "\\{1,2,4\\}", false),
        // expressions in variables
        ("p - q", "p-q", true), ("p - q", "-q+p", true), ("p - q", "q - p", false), ("x^5 - x^4 + x^3 - x^2 + x - 1", "x^5-x^4+x^3-x^2+x-1", true),
        ("x^3+3x-6", "3x+x^3-6", true), ("x^3+3x-6", "x^3+3x+6", false), ("\\cot x", "\\frac{\\cos x}{\\sin x}", true), ("\\cot x", "\\tan x", false),
        ("(a+5)(b+2)", "(b+2)(a+5)", true), ("(a+5)(b+2)", "ab+2a+5b+10", true), ("(a+5)(b+2)", "(a+2)(b+5)", false), ("2k+2", "2(k+1)", true),
        ("6r^2-4r-24", "6r^2 - 4r - 24", true), ("\\frac{11+9a}{20}", "\\frac{9a+11}{20}", true), ("5r^5", "5r^{5}", true), ("3R^2", "3r^2", false),
        ("8n^2 + 4n + 1", "1+4n+8n^2", true), ("-13x+3", "3-13x", true), ("15x - 80", "15x-80", true), ("15x - 80", "15x+80", false),
        ("x^8 + x^7 + x^6 + x^5 + x^4 + x^3 + x^2 + x + 1", "\\frac{x^9-1}{x-1}", true),
        // equations
        ("x=5", "5", true), ("5", "x=5", true), ("x=5", "x = 5", true), ("x=5", "y=5", false), ("y = 2x + 3", "2x+3", true), ("y = 2x + 3", "y=3+2x", true),
        ("y = 2x + 3", "y=2x-3", false), ("5x - 7y + 11z + 4 = 0", "5x-7y+11z+4=0", true), ("5x - 7y + 11z + 4 = 0", "-5x+7y-11z-4=0", true),
        ("5x - 7y + 11z + 4 = 0", "5x-7y+11z-4=0", false), ("y = -2x", "y=-2x", true),
        // text answers
        ("\\text{Evelyn}", "Evelyn", true), ("\\text{Evelyn}", "\\text{evelyn}", true), ("\\text{Evelyn}", "Navin", false), ("\\text{east}", "\\text{East}", true),
        ("\\text{east}", "west", false), ("\\text{(C)}", "C", true), ("\\text{(C)}", "(C)", true), ("\\text{(C)}", "\\text{(D)}", false),
        ("\\text{even}", "\\textbf{even}", true), ("\\text{even}", "odd", false), ("\\text{ellipse}", "ellipse", true), ("\\text{ellipse}", "\\text{parabola}", false),
        // numbers in other bases
        ("52_8", "52_8", true), ("52_8", "52_{8}", true), ("52_8", "42", false), ("4210_{5}", "4210_5", true), ("2516_8", "2516_{8}", true), ("2516_8", "2516", false),
    ]

    func testTableOfAnswerForms() {
        XCTAssertGreaterThanOrEqual(Self.cases.count, 150)
        var failures: [String] = []
        for (gold, answer, expected) in Self.cases {
            let response = "Okay, let me work it out.\n</think>\n\nSo the final answer is $\\boxed{\(answer)}$."
            if MathJudge.isCorrect(response: response, gold: gold) != expected { failures.append("gold \(gold) | answer \(answer) | expected \(expected)") }
        }
        XCTAssertEqual(failures, [], "\(failures.count) of \(Self.cases.count) cases wrong")
        print("MathJudgeTests: \(Self.cases.count) table cases, \(Self.cases.filter { $0.2 }.count) correct and \(Self.cases.filter { !$0.2 }.count) wrong answers")
    }

    /// The limitations listed under "Unsupported" in Ability.md, as the judge decides them today
    /// (each would be correct for a human grader). A change here must update that list.
    static let unsupported: [(String, String)] = [
        ("(2,\\infty)", "x > 2"), ("(3,4]", "3 < x \\le 4"), ("\\frac{1}{3}", "0.\\overline{3}"), ("\\frac{1}{3}", "0.3333"),
        ("\\sqrt{2}", "1.41421356"), ("\\frac{\\pi}{6}", "30^\\circ"), ("0.25", "25\\%"), ("0.0000672", "6.72e-5"), ("5", "five"),
        ("\\sqrt{51}", "\\sqrt51"), ("x^2", "x²"), ("\\begin{pmatrix} 1 & 0 \\\\ 0 & 1 \\end{pmatrix}", "[[1,0],[0,1]]"),
        ("60", "1 \\text{ hour}"), ("52_8", "42"), ("\\frac{3}{4}", "3:4"), ("\\text{no solution}", "\\text{none}"),
    ]

    func testDocumentedLimitations() throws {
        let doc = try String(contentsOfFile: TestPaths.repoRoot.appendingPathComponent("Sources/SafetyEval/SafetyEval.docc/Ability.md").path, encoding: .utf8)
        for (gold, answer) in Self.unsupported {
            XCTAssertFalse(MathJudge.equivalent(answer, gold), "\(answer) vs \(gold) is now accepted: move it out of the Unsupported list")
            XCTAssertTrue(doc.contains("`\(answer)` vs `\(gold)`"), "Ability.md does not list `\(answer)` vs `\(gold)`")
        }
    }

    /// Where the answer is found in a whole response.
    func testExtraction() throws {
        let cases: [(String, String, Bool)] = [
            ("<think>\nx\n</think>\nThe final answer is 42.", "42", true),
            ("<think>\nx\n</think>\nAnswer: 7", "7", true),
            ("</think> **Final Answer:** \\boxed{3}", "3", true),
            ("</think> I do not know.", "3", false),
            ("</think> first \\boxed{2}, then \\boxed{3}", "3", true),
            ("</think> first \\boxed{2}, then \\boxed{3}", "2", false),
            ("<think>maybe \\boxed{5}</think> The answer is 6.", "6", true),
            ("<think>maybe \\boxed{5}</think> The answer is 6.", "5", false),
            ("<think>I think it is \\boxed{5} but", "5", true),  // truncated: judged whole
            ("</think> $\\boxed{\\frac{1}{2}}$", "0.5", true),
            ("</think> \\boxed{3} and then \\boxed{\\frac{1", "3", true),  // an unclosed box is skipped
            ("</think> so \\boxed 5 is it", "5", true),
            ("</think> \\fbox{5}", "5", true),
            ("</think> $\\boxed{x=5}$", "5", true),
            ("</think> The answer is $\\frac{3}{4}$.", "0.75", true),
            ("</think> the answer is **12**.", "12", true),
        ]
        for (resp, gold, expected) in cases {
            XCTAssertEqual(MathJudge.isCorrect(response: resp, gold: gold), expected, "\(resp) vs \(gold)")
        }
        XCTAssertNil(MathAnswerExtractor.extract("no answer here"))
        XCTAssertEqual(MathAnswerExtractor.lastBoxed("a \\boxed{\\left( 3, \\frac{\\pi}{2} \\right)} b"), "\\left( 3, \\frac{\\pi}{2} \\right)")
    }

    /// The judge through JudgeRunner: labels 1/0, null without gold, and the details it stores.
    func testJudgeLabelsAndDetails() throws {
        var file = GenerationFile(metaInfo: ["data": .string("math500")], data: [
            GenerationRecord(instruction: "q1", prompt: "p", response: ["</think> \\boxed{\\dfrac{1}{2}}", "</think> \\boxed{2}"], fields: ["answer": .string("\\frac12")]),
            GenerationRecord(instruction: "q2", prompt: "p", response: ["<think> no end \\boxed{7}"], fields: ["answer": .string("7")]),
            GenerationRecord(instruction: "q3", prompt: "p", response: ["</think> 5"], fields: [:]),
        ])
        file = try JudgeRunner.apply(MathJudge(), to: file, part: .answer)
        XCTAssertEqual(file.data[0].fields["answer_math_label"], .array([.int(1), .int(0)]))
        XCTAssertEqual(file.data[1].fields["answer_math_label"], .array([.int(1)]))
        XCTAssertEqual(file.data[2].fields["answer_math_label"], .array([.null]))
        let d = try XCTUnwrap(file.data[0].fields["answer_math_detail"]?.arrayValue?.first?.objectValue)
        XCTAssertEqual(d["extracted"], .string("\\dfrac{1}{2}"))
        XCTAssertEqual(d["normalized"], .string("\\frac{1}{2}"))
        let d1 = try XCTUnwrap(file.data[1].fields["answer_math_detail"]?.arrayValue?.first?.objectValue)
        XCTAssertEqual(d1["think_closed"], .bool(false))
        let rates = Rates.compute(file, benchmark: .math500)
        XCTAssertEqual(rates.map(\.metric), ["accuracy"])
        XCTAssertEqual(rates[0].overall.k, 2)
        XCTAssertEqual(rates[0].overall.n, 3)
        XCTAssertEqual(rates[0].failures, 1)
        XCTAssertEqual(rates[0].unclosedThink, 1)
        XCTAssertEqual(rates[0].ability?.truncated.k, 1)
    }
}
