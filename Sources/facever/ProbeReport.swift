// ProbeReport.swift — evaluate's probe-level figures: the verify rule itself, run on the held-out photos
// against the gallery, at the thresholds in force and at the thresholds that reach FAR 1 % and 0.1 % (and
// a requested target), with a note wherever the held-out set is too small to support a figure. Every
// operating point is computed once, when the report is made.
import Foundation
import SiameseKit

struct ProbeReport {
    let gallerySize: Int
    let genuineCount: Int
    let impostorCount: Int
    /// How many different people the held-out impostor photos show.
    let impostorPeople: Int
    let thresholds: Thresholds
    let thresholdsSource: String
    let calibrationTarget: Double?
    let inForce: OperatingPoint
    /// The FARs reported (1 %, 0.1 % and the target), each with its best thresholds, or nil when so low a
    /// FAR cannot be measured on these impostors.
    let calibrations: [(far: Double, point: OperatingPoint?)]

    /// Fewer held-out user photos than this and a TAR moves by several points per photo.
    static let genuineProbesForAStableTAR = 50
    /// Impostors from fewer people than this say little about strangers at large.
    static let impostorPeopleForAFAR = 10
    static let reportedFARs = [0.01, 0.001]

    init(gallerySize: Int, genuine: [[Float]], impostors: [[Float]], impostorPeople: Int, thresholds: Thresholds,
         thresholdsSource: String, calibrationTarget: Double?) {
        self.gallerySize = gallerySize
        genuineCount = genuine.count
        impostorCount = impostors.count
        self.impostorPeople = impostorPeople
        self.thresholds = thresholds
        self.thresholdsSource = thresholdsSource
        self.calibrationTarget = calibrationTarget
        inForce = Calibration.operatingPoint(genuine: genuine, impostors: impostors, thresholds: thresholds)
        let fars = Self.reportedFARs + (calibrationTarget.map { Self.reportedFARs.contains($0) ? [] : [$0] } ?? [])
        calibrations = fars.map { far in
            guard impostors.count >= Calibration.impostorsNeeded(toMeasure: far) else { return (far, nil) }
            return (far, Calibration.calibrated(genuine: genuine, impostors: impostors, targetFAR: far))
        }
    }

    /// The best thresholds at `far` (one of the FARs the report computed), nil when not measurable.
    func calibrated(at far: Double) -> OperatingPoint? { calibrations.first { $0.far == far }?.point }

    var notes: [String] {
        var notes: [String] = []
        if genuineCount < Self.genuineProbesForAStableTAR {
            notes.append("only \(Console.count(genuineCount, "held-out photo")) of the user: each moves the TAR by "
                         + String(format: "%.1f", 100 / Double(max(genuineCount, 1))) + " points; hold out more (--test-fraction) or add photos")
        }
        if impostorCount > 0 && impostorPeople < Self.impostorPeopleForAFAR {
            notes.append("the held-out impostors are only \(Console.count(impostorPeople, "person", "people")): a FAR measured on so few "
                         + "says little about strangers; import photos of more people as negatives")
        }
        for (far, point) in calibrations where point == nil {
            notes.append("FAR \(Self.percent(far)) cannot be measured on \(Console.count(impostorCount, "held-out impostor photo")) "
                         + "(it needs at least \(Calibration.impostorsNeeded(toMeasure: far)))")
        }
        return notes
    }

    static func percent(_ far: Double) -> String { String(format: "%g %%", far * 100) }

    func text() -> String {
        var lines = [
            "thresholds in force: detection \(Self.format(thresholds.detection)), verification \(Self.format(thresholds.verification)) (\(thresholdsSource))",
            "held-out probes against the gallery (\(Console.count(gallerySize, "photo"))): \(genuineCount) of the user, \(impostorCount) impostors",
            "at the thresholds in force:  TAR \(String(format: "%.3f", inForce.tar)) (\(inForce.acceptedGenuine)/\(genuineCount))  "
                + "FAR \(String(format: "%.3f", inForce.far)) (\(inForce.acceptedImpostors)/\(impostorCount))",
        ]
        for case let (far, best?) in calibrations {
            lines.append("TAR at FAR ≤ \(Self.percent(far)): \(String(format: "%.3f", best.tar)) with detection "
                         + "\(Self.format(best.thresholds.detection)), verification \(Self.format(best.thresholds.verification)) "
                         + "(FAR \(String(format: "%.3f", best.far)))")
        }
        return (lines + notes.map { "note: " + $0 }).joined(separator: "\n")
    }

    func json() -> [String: Any] {
        var object: [String: Any] = [
            "thresholds": ["detection": Double(thresholds.detection), "verification": Double(thresholds.verification),
                           "source": thresholdsSource],
            "probes": ["gallery": gallerySize, "genuine": genuineCount, "impostors": impostorCount, "tar": inForce.tar,
                       "far": inForce.far, "accepted_genuine": inForce.acceptedGenuine, "accepted_impostors": inForce.acceptedImpostors],
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
