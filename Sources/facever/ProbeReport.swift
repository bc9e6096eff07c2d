// ProbeReport.swift — evaluate's probe-level figures: the verify rule itself, run on the held-out photos
// against the gallery, at the thresholds in force and at the thresholds that reach FAR 1 % and 0.1 %, with
// a note wherever the held-out set is too small to support a figure.
import Foundation
import SiameseKit

struct ProbeReport {
    let gallerySize: Int
    let genuine: [[Float]]
    let impostors: [[Float]]
    let thresholds: Thresholds
    let thresholdsSource: String
    let calibrationTarget: Double?

    /// Fewer held-out user photos than this and a TAR moves by several points per photo.
    static let genuineProbesForAStableTAR = 50
    static let reportedFARs = [0.01, 0.001]

    var inForce: OperatingPoint { Calibration.operatingPoint(genuine: genuine, impostors: impostors, thresholds: thresholds) }

    /// The best thresholds at `far`, or nil when so low a FAR cannot be measured on these impostors.
    func calibrated(at far: Double) -> OperatingPoint? {
        guard impostors.count >= Calibration.impostorsNeeded(toMeasure: far) else { return nil }
        return Calibration.calibrated(genuine: genuine, impostors: impostors, targetFAR: far)
    }

    var notes: [String] {
        var notes: [String] = []
        if genuine.count < Self.genuineProbesForAStableTAR {
            notes.append("only \(Console.count(genuine.count, "held-out photo")) of the user: each moves the TAR by "
                         + String(format: "%.1f", 100 / Double(max(genuine.count, 1))) + " points; hold out more (--test-fraction) or add photos")
        }
        for far in Self.reportedFARs + (calibrationTarget.map { [$0] } ?? []) where calibrated(at: far) == nil {
            notes.append("FAR \(Self.percent(far)) cannot be measured on \(Console.count(impostors.count, "held-out impostor photo")) "
                         + "(it needs at least \(Calibration.impostorsNeeded(toMeasure: far)))")
        }
        return notes
    }

    static func percent(_ far: Double) -> String { String(format: "%g %%", far * 100) }

    func text() -> String {
        let point = inForce
        var lines = [
            "thresholds in force: detection \(Self.format(thresholds.detection)), verification \(Self.format(thresholds.verification)) (\(thresholdsSource))",
            "held-out probes against the gallery (\(Console.count(gallerySize, "photo"))): \(genuine.count) of the user, \(impostors.count) impostors",
            "at the thresholds in force:  TAR \(String(format: "%.3f", point.tar)) (\(point.acceptedGenuine)/\(genuine.count))  "
                + "FAR \(String(format: "%.3f", point.far)) (\(point.acceptedImpostors)/\(impostors.count))",
        ]
        for far in Self.reportedFARs + (calibrationTarget.map { Self.reportedFARs.contains($0) ? [] : [$0] } ?? []) {
            guard let best = calibrated(at: far) else { continue }
            lines.append("TAR at FAR ≤ \(Self.percent(far)): \(String(format: "%.3f", best.tar)) with detection "
                         + "\(Self.format(best.thresholds.detection)), verification \(Self.format(best.thresholds.verification)) "
                         + "(FAR \(String(format: "%.3f", best.far)))")
        }
        return (lines + notes.map { "note: " + $0 }).joined(separator: "\n")
    }

    func json() -> [String: Any] {
        let point = inForce
        var object: [String: Any] = [
            "thresholds": ["detection": Double(thresholds.detection), "verification": Double(thresholds.verification),
                           "source": thresholdsSource],
            "probes": ["gallery": gallerySize, "genuine": genuine.count, "impostors": impostors.count, "tar": point.tar,
                       "far": point.far, "accepted_genuine": point.acceptedGenuine, "accepted_impostors": point.acceptedImpostors],
            "notes": notes,
        ]
        for far in Self.reportedFARs {
            object["tar_at_far_\(far)"] = calibrated(at: far).map(Self.json) ?? NSNull()
        }
        if let calibrationTarget {
            object["calibrated"] = calibrated(at: calibrationTarget).map(Self.json) ?? NSNull()
        }
        return object
    }

    static func json(_ point: OperatingPoint) -> [String: Any] {
        ["tar": point.tar, "far": point.far, "detection_threshold": Double(point.thresholds.detection),
         "verification_threshold": Double(point.thresholds.verification)]
    }

    static func format(_ threshold: Float) -> String { String(format: "%.3f", threshold) }
}
