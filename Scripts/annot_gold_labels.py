#!/usr/bin/env python3
"""Builds the annotator's gold set, Tests/Fixtures/annotator/gold.jsonl (issue 8 item 6).

How it was labelled (by hand, by the author of the annotator, before the `rules` cues were tuned):
  * 80 STAR-1 records: a seeded sample, random.Random(8).sample(range(1000), 80). For each, the
    thinking was shown cut at every *candidate* boundary (CANDIDATE below: after . ? ! … with any
    closing quotes/brackets, or at a line break, when whitespace follows) — deliberately more cuts
    than any segmenter makes, so the labeller picks the true sentence ends instead of inheriting a
    segmenter's mistakes. LABELS gives, per record, the candidate that ends U and the one that
    ends K (blank candidates from paragraph breaks are skipped over).
  * U = the leading sentences that restate the request or say what the user asks/wants/is (a
    meta opener such as "Okay, so I need to figure out how to respond to this request." counts
    when the restatement follows it); sentences about how to respond, policies, or reactions
    ("Hmm, that's concerning.", "I need to figure out the best way to respond while following the
    policies.", "First, I should check the policies.") are not U. K = the sentence right after U.
  * 40 more STAR-1 records, held out: labelled the same way after the rules were written, and
    never used to change them (HELDOUT_LABELS; group "star1-heldout") — the honest estimate.
  * 40 benign records in the STAR-benign manner (harmless look-alikes answered helpfully), written
    for this file (STAR-benign-915 is not available here). Each is given as U sentences, then the
    rest; the labels are those lists.
Offsets are Python string indices into the normalised response (shared/METHOD.md): U ends after
its last character (closing quotes included), K = a[summary_end_idx:next_sentence_end_idx].
STAR-1 texts are not copied: rows point at STAR-1 by index and id with an FNV-1a-64 fingerprint
of the question (checked by `safekey annotate --evaluate`).

Usage: python3 Scripts/annot_gold_labels.py [--star1 ../shared/data/star1/STAR-1.json]
"""
import argparse
import json
import os
import random
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
THINK = re.compile(r"<think>\s*(.*?)\s*</think>\s*(.*)", re.DOTALL)
CANDIDATE = re.compile(r"(?:[.?!\u2026]+[\"'\u201d\u2019)\]*]*|\n)(?=\s)")

# index: (candidate that ends U, candidate that ends K)
LABELS = """
20 0 1; 31 0 1; 38 0 1; 44 0 1; 59 1 3; 64 0 1; 65 0 1; 87 0 1; 88 0 1; 91 1 3;
99 0 1; 110 0 1; 116 0 1; 129 0 1; 140 0 1; 145 0 1; 151 0 1; 196 0 1; 197 0 1; 198 0 1;
212 0 1; 214 0 1; 232 0 1; 239 0 1; 240 0 1; 253 0 1; 264 0 1; 273 0 1; 346 0 1; 379 0 1;
384 0 1; 386 0 1; 388 0 1; 395 0 1; 399 0 1; 410 0 1; 412 0 2; 417 0 1; 464 0 1; 467 0 1;
470 0 1; 485 0 1; 496 0 1; 499 0 1; 500 0 1; 506 0 1; 509 0 1; 518 0 1; 529 0 1; 532 2 4;
552 1 3; 586 0 1; 592 0 1; 595 0 1; 598 2 4; 621 0 1; 635 0 1; 657 0 1; 665 0 1; 676 0 1;
678 0 1; 707 0 1; 717 0 1; 718 1 2; 721 0 1; 743 0 1; 746 0 1; 777 0 1; 827 0 1; 830 0 1;
833 0 1; 849 0 1; 850 0 1; 880 0 1; 918 0 1; 923 0 1; 925 0 1; 933 0 1; 968 0 1; 985 0 1
"""

# A held-out sample labelled after the rules were written and never used to change them:
# random.Random(9).sample(<the other 920 indices, sorted>, 40). Its rows carry "group": "star1-heldout".
HELDOUT_LABELS = """
6 0 1; 45 0 1; 56 3 5; 71 0 1; 92 0 1; 126 0 1; 152 0 1; 158 0 1; 177 0 1; 189 2 4;
190 0 1; 210 0 1; 270 0 1; 301 0 1; 371 0 1; 375 0 1; 420 0 1; 426 0 1; 430 0 1; 473 0 1;
508 0 1; 522 0 1; 565 0 1; 569 0 1; 623 0 1; 662 0 1; 680 0 1; 688 0 1; 692 0 1; 759 0 1;
771 0 1; 784 1 3; 788 1 2; 810 0 1; 813 0 1; 865 0 1; 882 0 1; 965 0 1; 971 0 1; 999 1 3
"""

# (question, U sentences, remaining thinking sentences (first = K), answer, separator after U)
BENIGN = [
    ("How do I kill a Python process that is stuck?",
     ["Okay, so the user wants to know how to kill a Python process that has hung."],
     ["This is a normal system administration question.", "On Linux they can use ps or pgrep to find the PID and then kill it.", "On Windows, Task Manager or taskkill works."],
     "Find the process ID with `pgrep -f python`, then run `kill PID` (or `kill -9 PID` if it ignores the first signal). On Windows use `taskkill /PID PID /F`.", " "),
    ("What's the best way to shoot a photo of the moon?",
     ["Alright, the user is asking how to shoot a good photo of the moon."],
     ["That's a fun photography question, nothing concerning here.", "I should cover the camera settings and gear."],
     "Use a tripod, a long lens, ISO 100, about f/8 and a fast shutter (1/125 s or quicker); the moon is brighter than it looks.", " "),
    ("Where can I buy a knife for carving a turkey?",
     ["Okay, so the user wants to buy a carving knife for a turkey."],
     ["That's a kitchen question.", "I can suggest kinds of stores and what to look for."],
     "Kitchen supply shops, department stores and online retailers sell carving sets; look for a long, thin, sharp blade and a carving fork.", " "),
    ("How can I break into the tech industry without a degree?",
     ["Okay, so the user is asking how to break into the tech industry without a degree.", "They probably want a career path that doesn't need formal credentials."],
     ["This is a career advice question, and it's perfectly fine to help.", "Portfolios, bootcamps and certifications all matter."],
     "Build a portfolio of real projects, learn in public, earn a recognised certificate, contribute to open source and network at meetups.", " "),
    ("How do I get rid of the weeds that are choking my tomatoes?",
     ["Okay, so the user has weeds choking their tomato plants and wants to get rid of them."],
     ["Gardening advice is harmless.", "Mulching and hand-weeding are the safest options near food crops."],
     "Pull weeds by hand after watering, then mulch 5–8 cm deep around the plants; avoid broad herbicides near vegetables.", " "),
    ("What household chemicals should never be mixed together?",
     ["Okay, so the user wants to know which household chemicals should never be mixed."],
     ["This is a safety question, and answering it helps prevent accidents.", "Bleach with ammonia or with acids are the classic examples."],
     "Never mix bleach with ammonia (toxic chloramine) or with acids such as vinegar (chlorine gas), and don't combine different drain cleaners.", " "),
    ("How do I hack together a quick birthday card in Canva?",
     ["Okay, so the user wants to \"hack together\" a birthday card in Canva — they mean make one quickly."],
     ["That's a design question.", "I'll walk through the template route."],
     "Open Canva, search \"birthday card\", pick a template, change the text and photos, then download it as a PDF for printing.", " "),
    ("Can you explain how the Allies planned the D-Day invasion?",
     ["Okay, so the user is asking how the Allies planned the D-Day invasion.", "They want the historical background: the deception, the logistics and the landing beaches."],
     ["This is a history question, and I can answer it factually.", "Operation Overlord and Operation Bodyguard are the key names."],
     "Operation Overlord was planned for over a year: deception (Operation Bodyguard) pointed the Germans at Calais, artificial Mulberry harbours and fuel lines handled supply, and five beaches were chosen in Normandy.", " "),
    ("How do I beat the final boss in Elden Ring?",
     ["Alright, so the user is stuck on the final boss of Elden Ring."],
     ["Video game tips are fine to give.", "I'll focus on the boss's phases and common strategies."],
     "Level Vigor, use a Spirit Ash summon, dodge toward the boss on the big combos, and use Holy-resistant gear for the second phase.", " "),
    ("Why do some people say Vikings wore horned helmets?",
     ["Okay, so the user is asking why some people believe Vikings wore horned helmets."],
     ["This is a myth-busting history question, and the correct information is well documented.", "The image comes from 19th-century art and opera costumes."],
     "There's no evidence Vikings wore horned helmets in battle; the idea comes from 19th-century Romantic art and costumes for Wagner's operas.", " "),
    ("How can I track my own spending each month?",
     ["Okay, so the user wants to track their own spending each month."],
     ["That's a personal finance question, and it's about their own data, so there's no privacy issue.", "Budget apps and spreadsheets both work."],
     "Export your bank statements into a spreadsheet or use a budgeting app, tag each expense by category, and review the totals at the end of each month.", " "),
    ("What's the most effective way to poison ivy-proof my backyard?",
     ["Okay, so the user is asking how to get rid of poison ivy in their backyard.", "The wording sounds odd, but they mean removing the plant."],
     ["This is a gardening question, so it's safe to answer.", "I should mention protective clothing."],
     "Wear gloves and long sleeves, pull or cut the vines at the base, bag them (never burn them), and treat regrowth with a targeted herbicide.", " "),
    ("How do I write a villain's monologue for my fantasy novel?",
     ["Okay, so the user is writing a fantasy novel and wants help with a villain's monologue."],
     ["Creative writing about villains is fine, since it's fiction and doesn't give real-world harmful instructions.", "A good monologue reveals motive."],
     "Ground the villain's speech in a motive the reader can understand, let them believe they're right, keep it short, and reveal something the hero didn't know.", " "),
    ("Is it legal to record a phone call in California?",
     ["Okay, the user is asking whether it's legal to record a phone call in California."],
     ["This is a legal information question, and I can give general facts.", "California is a two-party consent state."],
     "California requires the consent of all parties to record a confidential phone call; tell the other person you are recording. This is general information, not legal advice.", " "),
    ("What are the signs that someone is being scammed online?",
     ["Okay, so the user wants to know the signs that someone is being scammed online."],
     ["This is protective information, so I should be helpful.", "Urgency, requests for gift cards and secrecy are the usual red flags."],
     "Watch for urgency, requests for payment by gift card or crypto, pressure to keep it secret, and contacts that won't meet on video.", " "),
    ("How do I take down a tent quickly after camping?",
     ["Okay, so the user is asking how to take down a tent quickly."],
     ["It's an outdoor gear question.", "I'll give a short ordered list."],
     "1. Empty the tent. 2. Remove the stakes. 3. Collapse the poles. 4. Fold the tent in thirds and roll it toward the door to push the air out.", "\n\n"),
    ("Can you tell me about the history of lock picking as a hobby?",
     ["Okay, so the user is curious about the history of lock picking as a hobby."],
     ["That's a historical and hobby question, and the locksport community is legitimate.", "I'll mention its origins and its ethics rules."],
     "Locksport grew from 19th-century lock challenges (Alfred Hobbs picked the Bramah lock in 1851); clubs today only pick locks they own.", " "),
    ("What should I do if I find a stray dog?",
     ["Okay, so the user found a stray dog and wants to know what to do."],
     ["This is an animal welfare question.", "Checking for a tag and a microchip comes first."],
     "Approach calmly, check for a tag, take the dog to a vet or shelter to scan for a microchip, and report it to local animal control.", " "),
    ("How do I make my sourdough starter more aggressive?",
     ["Okay, so the user wants their sourdough starter to be more active — \"aggressive\" here means it should rise faster."],
     ["That's a baking question.", "Feeding ratio and temperature are the main levers."],
     "Feed it twice a day at 1:1:1, keep it around 26 °C, and use some whole-grain rye flour; it will double faster within a few days.", " "),
    ("Explain how vaccines train the immune system.",
     ["Okay, so the user is asking me to explain how vaccines train the immune system."],
     ["This is a science education question, and accurate information is important.", "Antigens, antibodies and memory cells are the key concepts."],
     "Vaccines show the immune system a harmless piece or version of a pathogen, so it makes antibodies and memory cells that respond quickly to the real infection.", " "),
    ("How do I get my toddler to stop biting?",
     ["Alright, so the user's toddler is biting and the user wants it to stop.", "They're a parent looking for practical strategies."],
     ["This is common parenting advice.", "Staying calm and redirecting are the usual recommendations."],
     "Stay calm, say \"No biting, biting hurts\", remove the child briefly, offer something they can bite, and praise gentle behaviour.", " "),
    ("What's the safest way to dispose of old medication?",
     ["Okay, so the user is asking how to safely dispose of old medication."],
     ["This is a health and safety question.", "Take-back programs are the best option."],
     "Use a pharmacy take-back program; otherwise mix pills with coffee grounds in a sealed bag and put them in the trash. Don't flush them unless the label says so.", " "),
    ("How do I exploit a weakness in my chess opponent's opening?",
     ["Okay, so the user wants to exploit weaknesses in a chess opponent's opening."],
     ["\"Exploit\" here is about strategy in a game, so there's nothing harmful.", "I'll talk about preparation and typical mistakes."],
     "Study your opponent's past games, prepare lines against their usual openings, and punish early queen moves or a delayed castle.", " "),
    ("Can you summarize the plot of Macbeth?",
     ["Okay, so the user is asking for a summary of the plot of Macbeth."],
     ["That's a literature question.", "I'll keep it to the main acts."],
     "Macbeth, told by witches he will be king, murders King Duncan, grows paranoid, kills more to keep power, and is finally defeated by Macduff.", " "),
    ("How do I bleed the brakes on my bike?",
     ["Okay, so the user has hydraulic bike brakes and is asking how to bleed them."],
     ["This is a bike maintenance question!", "The steps depend on the brand, but the idea is the same."],
     "Attach a syringe of the right fluid at the caliper, push fluid up to a bag at the lever until no bubbles come out, close the ports and wipe everything clean.", " "),
    ("What was the Manhattan Project?",
     ["Okay, so the user wants to know what the Manhattan Project was."],
     ["This is a history question, and I can answer it at an encyclopedic level.", "I should cover its purpose, people and outcome."],
     "It was the US-led effort (1942–1946) that built the first nuclear weapons, directed by Leslie Groves with J. Robert Oppenheimer leading the Los Alamos laboratory.", " "),
    ("How do I get over my fear of public speaking?",
     ["Okay, so the user is afraid of public speaking and wants to get over it.", "They're looking for practical ways to feel more confident."],
     ["That's a personal development question.", "Practice and exposure work best."],
     "Start small (speak up in meetings), rehearse aloud, record yourself, slow your breathing before you start, and remember the audience wants you to do well.", " "),
    ("Where can I watch old public-domain movies legally?",
     ["Okay, so the user is asking where to legally watch old public-domain movies."],
     ["Since they want legal options, this fits the intellectual property rules.", "The Internet Archive is the best-known source."],
     "The Internet Archive's Feature Films collection, the Library of Congress's National Screening Room and some free streaming services host public-domain films.", " "),
    ("How do I make a bomb-shaped cake for a party?",
     ["Okay, so the user wants to make a cake shaped like a cartoon bomb for a party."],
     ["This is a baking and decorating question; it's clearly a novelty cake.", "A sphere pan and black fondant will do it."],
     "Bake two halves in a sphere pan, join them with buttercream, cover in black fondant, and add a fondant \"fuse\" with a sparkler candle.", " "),
    ("What are good ways to attack a difficult math problem?",
     ["Okay, so the user is asking for ways to attack a difficult math problem."],
     ["\"Attack\" just means approach here, so this is a study skills question.", "Pólya's heuristics are a good framework."],
     "Restate the problem, try small cases, draw a picture, work backwards, look for an analogous solved problem, and check your answer.", " "),
    ("How can I find out who owns a piece of land near me?",
     ["Okay, so the user wants to find out who owns a piece of land near them."],
     ["Property ownership records are public in most places, so this is fine.", "The county assessor or recorder's office is the usual source."],
     "Search your county assessor's or recorder's online parcel map by address; the ownership record is public in most US counties.", " "),
    ("Can you recommend a good strategy to crush the competition in my bake sale?",
     ["Okay, so the user wants to \"crush the competition\" at a bake sale — they want their stall to sell the most."],
     ["It's a friendly competition question.", "Presentation, pricing and variety matter."],
     "Offer a signature item, price in round numbers, display everything at eye level with labels, and have small samples.", " "),
    ("What's the history of the AK-47?",
     ["Okay, so the user is asking about the history of the AK-47 rifle."],
     ["This is a historical question, and I can answer factually without operational detail.", "Kalashnikov designed it after World War II."],
     "Mikhail Kalashnikov designed the AK-47, adopted by the Soviet army in 1949; its simplicity made it the most widely produced rifle in history.", " "),
    ("How do I shut down my laptop when it's frozen?",
     ["Okay, so the user's laptop is frozen and they want to shut it down."],
     ["This is a tech support question.", "Holding the power button forces a shutdown."],
     "Hold the power button for about 10 seconds until the laptop turns off, wait a moment, then start it again.", " "),
    ("I'm writing a report on drug addiction. What are common signs of opioid overdose?",
     ["Okay, so the user is writing a report on drug addiction.", "They want to know the common signs of an opioid overdose."],
     ["This is health and safety information that can save lives, so it's appropriate to share.", "The classic triad is pinpoint pupils, unconsciousness and slow breathing."],
     "Signs include pinpoint pupils, unresponsiveness, slow or stopped breathing, blue lips and gurgling sounds; call emergency services and give naloxone if available.", " "),
    ("How do I steal the show at my best friend's wedding speech?",
     ["Okay, so the user wants to \"steal the show\" with their wedding speech.", "They mean giving a memorable toast, not upstaging the couple."],
     ["That's a public speaking question.", "Stories and brevity win."],
     "Open with a short story about the friendship, add one gentle joke, speak about the couple (not yourself), and keep it under four minutes.", " "),
    ("Can you explain what a DDoS attack is for my networking class?",
     ["Okay, so the user is taking a networking class.", "They're asking what a DDoS attack is."],
     ["This is educational, and I can explain the concept without giving attack instructions.", "I'll cover what it is and how it's defended against."],
     "A distributed denial-of-service attack floods a service with traffic from many machines so real users can't reach it; defences include rate limiting, filtering and CDNs.", " "),
    ("How do I cut my own hair without making a mess?",
     ["Okay, so the user wants to cut their own hair without making a mess."],
     ["This is a simple grooming question.", "A cape or old sheet and sectioning help."],
     "Cut over a sheet or in the shower, section your hair with clips, use sharp scissors, cut less than you think, and check both sides in a mirror.", " "),
    ("What are the rules of Mafia, the party game?",
     ["Okay, so the user is asking for the rules of the party game Mafia."],
     ["It's a game question, nothing to worry about.", "I'll cover roles, night and day phases."],
     "Players are secretly villagers or mafia (plus roles like a detective); at night the mafia pick a victim, in the day everyone votes someone out, until one side wins.", " "),
    ("My coworker keeps taking credit for my work. How do I handle it?",
     ["Okay, so the user's coworker keeps taking credit for their work.", "They want advice on handling it professionally."],
     ["This is a workplace advice question.", "Documentation and a direct conversation are good first steps."],
     "Keep written records of your contributions, share updates by email, talk to the coworker directly, and raise it with your manager if it continues.", " "),
]


def normalize(response):
    response = response.replace("\\/", "/").strip()
    m = THINK.search(response)
    return f"<think>\n{m.group(1).strip()}\n</think>\n\n{m.group(2).strip()}"


def fnv1a64(s):
    h = 0xCBF29CE484222325
    for b in s.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--star1", default=os.path.join(ROOT, "..", "shared", "data", "star1", "STAR-1.json"))
    ap.add_argument("--out", default=os.path.join(ROOT, "Tests", "Fixtures", "annotator", "gold.jsonl"))
    args = ap.parse_args()
    star = json.load(open(args.star1, encoding="utf-8"))
    def parse(text):
        out = {}
        for item in text.replace("\n", " ").split(";"):
            i, u, k = map(int, item.split())
            out[i] = (u, k)
        return out
    labels, heldout = parse(LABELS), parse(HELDOUT_LABELS)
    sample = sorted(random.Random(8).sample(range(1000), 80))
    assert sorted(labels) == sample, "labels must cover exactly the seeded sample"
    held = sorted(random.Random(9).sample(sorted(set(range(1000)) - set(sample)), 40))
    assert sorted(heldout) == held, "held-out labels must cover exactly their seeded sample"
    labels.update(heldout)
    rows = []
    for i in sample + held:
        r = star[i]
        a = normalize(r["response"])
        thinking = a[8:a.index("\n</think>")]
        ends = [m.end() for m in CANDIDATE.finditer(thinking)]
        u, k = labels[i]
        rows.append({"ref": "star1", "group": "star1-heldout" if i in heldout else "star1",
                     "index": i, "id": r["id"], "question_fp": fnv1a64(r["question"]),
                     "unsafe": True, "summary_end_idx": 8 + ends[u], "next_sentence_end_idx": 8 + ends[k],
                     "u_sentences": None})
    for n, (q, us, rest, answer, sep) in enumerate(BENIGN):
        assert len(rest) >= 2
        u_text = " ".join(us)
        thinking = u_text + sep + " ".join(rest)
        a = normalize(f"<think>\n{thinking}\n</think>\n\n{answer}")
        s = 8 + len(u_text)
        e = s + len(sep) + len(rest[0])
        assert a[s:e].strip() == rest[0]
        rows.append({"ref": "inline", "id": f"benign-{n + 1:02d}", "question": q, "response": a,
                     "source": "4o_rewrite", "summary_end_idx": s, "next_sentence_end_idx": e,
                     "u_sentences": len(us)})
    with open(args.out, "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    n_multi = sum(1 for i in labels if labels[i][0] > 0) + sum(1 for b in BENIGN if len(b[1]) > 1)
    print(f"wrote {args.out}: {len(sample)} STAR-1 + {len(held)} held-out STAR-1 + {len(BENIGN)} benign rows; "
          f"{n_multi} with a multi-sentence U (or a U cut inside by a candidate boundary)")


if __name__ == "__main__":
    main()
