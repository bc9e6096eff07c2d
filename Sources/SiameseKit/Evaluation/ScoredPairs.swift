// ScoredPairs.swift — a pairs list with each pair's score, so that LFW's protocol can be run on scores that
// several models made: `evaluate --pairs FILE --write-scores OUT` writes one, `evaluate --scored-pairs A
// --scored-pairs B …` reads any number and reports them as one list.
//
// Why: a general model trained for fold K must never have seen fold K's people, so each fold needs a model of
// its own. Each fold's scores come from its own model; k-fold accuracy then chooses fold K's threshold on the
// other folds' scores, as LFW's View 2 does — possible because every model's head maps distances to the same
// meaning of a score (0.5: as likely the same person as not).
//
// The file is tab-separated text: a header `fold image_a image_b same score`, then one pair a line, image
// paths absolute, same 1 or 0, the score a finite number. Anything else is a one-line error naming the line.
import Foundation
import Tensor

public enum ScoredPairs {
    public static let header = "fold\timage_a\timage_b\tsame\tscore"

    /// Writes `pairs` with their `scores` to `url`, atomically and private (0600).
    public static func write(_ pairs: [ImagePair], scores: [Float], to url: URL) throws {
        precondition(pairs.count == scores.count, "ScoredPairs: a score a pair")
        var text = header + "\n"
        for (pair, score) in zip(pairs, scores) {
            text += "\(pair.fold)\t\(pair.first.path)\t\(pair.second.path)\t\(pair.same ? 1 : 0)\t\(score)\n"
        }
        try AtomicFile.write(Data(text.utf8), to: url)
    }

    /// The pairs and scores of `url`.
    public static func read(_ url: URL) throws -> (pairs: [ImagePair], scores: [Float]) {
        var pairs: [ImagePair] = [], scores: [Float] = []
        for (index, (number, line)) in try TextFile.lines(url).enumerated() {
            if index == 0 && line == header { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 5, let fold = Int(fields[0]), fields[3] == "1" || fields[3] == "0",
                  !fields[1].isEmpty, !fields[2].isEmpty, let score = Float(fields[4]), score.isFinite else {
                throw InputError(path: url.path, problem: "line \(number) is not `fold<TAB>image_a<TAB>image_b<TAB>same<TAB>score`",
                                 nextStep: "write the file with `facever evaluate --pairs FILE --write-scores OUT`")
            }
            pairs.append(ImagePair(fold: fold, first: URL(fileURLWithPath: fields[1]), second: URL(fileURLWithPath: fields[2]),
                                   same: fields[3] == "1"))
            scores.append(score)
        }
        guard pairs.contains(where: \.same), pairs.contains(where: { !$0.same }) else {
            throw InputError(path: url.path, problem: "the file needs both same and different pairs")
        }
        try PairsProtocol.checkFolds(pairs, path: url.path)
        return (pairs, scores)
    }

    /// The pairs and scores of every file in `urls`, as one list (each file read and checked as above; their
    /// folds together at most PairsProtocol.maximumFolds).
    public static func read(_ urls: [URL]) throws -> (pairs: [ImagePair], scores: [Float]) {
        var pairs: [ImagePair] = [], scores: [Float] = []
        for url in urls {
            let scored = try read(url)
            pairs += scored.pairs
            scores += scored.scores
        }
        try PairsProtocol.checkFolds(pairs, path: nil)
        return (pairs, scores)
    }
}
