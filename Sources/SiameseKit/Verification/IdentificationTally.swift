// IdentificationTally.swift — how well `identify` names people on a labelled folder (`evaluate --identify`):
// rank-1 accuracy on photos of enrolled people (the right name first and above the threshold), the
// unknown-rejection rate on photos of people not enrolled (called unknown), and who was taken for whom.
import Foundation

public struct IdentificationTally: Sendable {
    /// The name given to a photo of someone not enrolled, and to a photo called unknown.
    public static let unknown = "unknown"

    /// truth → answer → count; answers are names, `unknown`, or `no face`.
    public private(set) var confusion: [String: [String: Int]] = [:]
    public private(set) var knownPhotos = 0, knownRight = 0
    public private(set) var unknownPhotos = 0, unknownRejected = 0

    public init() {}

    /// One photo of `truth` (nil: someone not enrolled) was answered `answer` (nil: unknown); `noFace`
    /// when the pipeline found no face (wrong for everyone but counts on its own line).
    public mutating func record(truth: String?, answer: String?, noFace: Bool = false) {
        let given = noFace ? "no face" : (answer ?? Self.unknown)
        confusion[truth ?? Self.unknown, default: [:]][given, default: 0] += 1
        if let truth {
            knownPhotos += 1
            if !noFace && answer == truth { knownRight += 1 }
        } else {
            unknownPhotos += 1
            if !noFace && answer == nil { unknownRejected += 1 }
        }
    }

    /// Right name first among photos of enrolled people (nil without any).
    public var rankOneAccuracy: Double? { knownPhotos == 0 ? nil : Double(knownRight) / Double(knownPhotos) }
    /// Called unknown among photos of people not enrolled (nil without any).
    public var unknownRejectionRate: Double? { unknownPhotos == 0 ? nil : Double(unknownRejected) / Double(unknownPhotos) }
}
