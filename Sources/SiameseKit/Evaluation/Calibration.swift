// Calibration.swift — the verify rule's error rates on held-out probes, and the thresholds that reach a
// target false-accept rate.
//
// Each probe has one score per gallery photo. With a detection threshold d and a verification threshold v
// (verify's rule), a probe is accepted when the share of its scores above d exceeds v:
//   accepted(p) ⇔ #{g : score(p, g) > d} / G > v
//   TAR = accepted genuine probes / genuine probes,   FAR = accepted impostor probes / impostor probes
// For a target FAR F, every candidate d (the standard 0.5 and up to `maximumCandidates` quantiles of the
// scores) gets a v whose FAR is at most F: the smallest such v is the (⌊F·N⌋ + 1)-th largest impostor
// share s; any v up to the smallest genuine share above s accepts the same genuine probes, so v is set
// midway between the two (a margin on both sides: held-out impostors are few, and a v at s would accept
// a new stranger whose share is a hair above the worst held-out one). The (d, v) with the highest TAR wins
// (ties: the lower FAR, then the d nearer 0.5).
import Foundation

public struct OperatingPoint: Equatable, Sendable {
    public var thresholds: Thresholds
    public var tar: Double
    public var far: Double
    public var acceptedGenuine: Int
    public var acceptedImpostors: Int
}

public enum Calibration {
    /// Candidate detection thresholds tried (quantiles of the scores), to bound the search's cost.
    public static let maximumCandidates = 256

    /// The share of `scores` above `detection`.
    static func share(_ scores: [Float], above detection: Float) -> Double {
        scores.isEmpty ? 0 : Double(scores.filter { $0 > detection }.count) / Double(scores.count)
    }

    /// TAR and FAR of the verify rule with `thresholds`.
    public static func operatingPoint(genuine: [[Float]], impostors: [[Float]], thresholds: Thresholds) -> OperatingPoint {
        func accepted(_ probes: [[Float]]) -> Int {
            probes.filter { share($0, above: thresholds.detection) > Double(thresholds.verification) }.count
        }
        let (g, i) = (accepted(genuine), accepted(impostors))
        return OperatingPoint(thresholds: thresholds, tar: ratio(g, genuine.count), far: ratio(i, impostors.count),
                              acceptedGenuine: g, acceptedImpostors: i)
    }

    /// The thresholds with the highest TAR whose FAR on `impostors` is at most `targetFAR`, or nil when
    /// there are no genuine or no impostor probes.
    public static func calibrated(genuine: [[Float]], impostors: [[Float]], targetFAR: Double) -> OperatingPoint? {
        guard !genuine.isEmpty, !impostors.isEmpty else { return nil }
        let allowed = Int((targetFAR * Double(impostors.count)).rounded(.down))
        var best: OperatingPoint?
        for detection in candidates(genuine + impostors) {
            let impostorShares = impostors.map { share($0, above: detection) }.sorted(by: >)
            // Accepting only shares strictly above the (allowed + 1)-th largest keeps at most `allowed`.
            let lowest = allowed < impostorShares.count ? impostorShares[allowed] : 0
            let nextGenuine = genuine.map { share($0, above: detection) }.filter { $0 > lowest }.min()
            let verification = nextGenuine.map { (lowest + $0) / 2 } ?? lowest
            let point = operatingPoint(genuine: genuine, impostors: impostors,
                                       thresholds: Thresholds(detection: detection, verification: floatNotBelow(verification)))
            if let current = best {
                let better = point.tar > current.tar
                    || (point.tar == current.tar && point.far < current.far)
                    || (point.tar == current.tar && point.far == current.far
                        && abs(detection - 0.5) < abs(current.thresholds.detection - 0.5))
                if !better { continue }
            }
            best = point
        }
        return best
    }

    /// The smallest Float whose value is at least `value`: thresholds are stored as Float, and a share
    /// equal to the threshold must stay not accepted (48/50 = 0.96 rounds down to 0.9599999785 in Float).
    static func floatNotBelow(_ value: Double) -> Float {
        let rounded = Float(value)
        return Double(rounded) < value ? rounded.nextUp : rounded
    }

    /// 0.5 and up to `maximumCandidates` evenly spaced quantiles of the distinct scores.
    static func candidates(_ probes: [[Float]]) -> [Float] {
        let distinct = Array(Set(probes.joined())).sorted()
        guard distinct.count > maximumCandidates else { return [Thresholds.standard.detection] + distinct }
        let step = Double(distinct.count - 1) / Double(maximumCandidates - 1)
        return [Thresholds.standard.detection] + (0..<maximumCandidates).map { distinct[Int((Double($0) * step).rounded())] }
    }

    /// Impostor probes needed before a FAR of `far` can be told from 0: with N impostors the smallest
    /// non-zero FAR is 1/N.
    public static func impostorsNeeded(toMeasure far: Double) -> Int { Int((1 / far).rounded(.up)) }

    private static func ratio(_ a: Int, _ b: Int) -> Double { b == 0 ? 0 : Double(a) / Double(b) }
}
