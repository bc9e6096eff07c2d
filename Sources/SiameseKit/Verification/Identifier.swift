// Identifier.swift — who is in a photo: the probe against everyone enrolled in DATA/people.
//
//   person score = the mean of the person's (up to) three best Siamese scores against the probe
//   name = the person with the highest score, when it is above the threshold; unknown otherwise
// The best three rather than all: a person with many photos is not punished for the odd bad one, and
// one lucky photo does not decide. Everyone's photos form one Gallery (one cache, keyed by each photo's
// content), so a probe costs one embedding and one pass of the Siamese head over all enrolled photos.
import Foundation
import Tensor

public struct Identification: Sendable {
    /// Everyone, best first: (name, score).
    public let ranking: [(name: String, score: Double)]
    /// The threshold the best score had to exceed.
    public let threshold: Float

    /// The best person's name, or nil (unknown) when no one scores above the threshold.
    public var name: String? { ranking.first.flatMap { $0.score > Double(threshold) ? $0.name : nil } }
    public var score: Double { ranking.first?.score ?? 0 }
    public var runnerUp: (name: String, score: Double)? { ranking.count > 1 ? ranking[1] : nil }
}

public final class Identifier {
    public let model: TrainedModel
    public let threshold: Float
    public let cropper: PhotoCropper
    public let gallery: Gallery
    /// The enrolled names, and for each gallery row the index of its person.
    public let names: [String]
    /// nil for a photo that belongs to nobody (one lying directly in DATA/people, or in a folder whose
    /// name cannot be a person's): it is embedded with the rest but never named.
    private let personOfRow: [Int?]
    /// Best photos averaged into a person's score.
    static let bestPhotosPerPerson = 3

    /// Loads everyone's photos (cached embeddings where possible) for identifying `probesToCome` probes;
    /// `progress` as Gallery's.
    public init(model: TrainedModel, precision: MatrixPrecision, layout: DataLayout, threshold: Float, probesToCome: Int = 1,
                cropper: PhotoCropper, decoder: PhotoDecoder, progress: (String, Int, Int) -> Void = { _, _, _ in }) throws {
        guard FileManager.default.fileExists(atPath: layout.peopleFolder.path) else {
            throw InputError(path: layout.peopleFolder.path, problem: "nobody is enrolled", nextStep: "enroll people with `facever enroll NAME PHOTO…`")
        }
        let gallery = try Gallery(folder: layout.peopleFolder, model: model, precision: precision, probesToCome: probesToCome,
                                  cropper: cropper, decoder: decoder, emptyNextStep: "enroll people with `facever enroll NAME PHOTO…`",
                                  progress: progress)
        let rowNames = gallery.paths.map { People.name(of: $0, in: layout).flatMap { People.problem(withName: $0) == nil ? $0 : nil } }
        let names = Array(Set(rowNames.compactMap { $0 })).sorted()
        guard !names.isEmpty else {
            throw InputError(path: layout.peopleFolder.path, problem: "nobody is enrolled (no photos in a person's folder)",
                             nextStep: "enroll people with `facever enroll NAME PHOTO…`")
        }
        let index = Dictionary(uniqueKeysWithValues: names.enumerated().map { ($1, $0) })
        self.model = model
        self.threshold = threshold
        self.cropper = cropper
        self.gallery = gallery
        self.names = names
        self.personOfRow = rowNames.map { $0.map { index[$0]! } }
    }

    /// The identification of one probe photo (its canonical crop).
    public func identify(_ probe: RGBImage) throws -> Identification {
        let format = model.network.inputFormat
        let embedding = gallery.inference.embeddings(ImageBatch.tensor(stacking: [ImageBatch.values(of: probe, for: format)], format: format))
        return try identify(embedding: embedding.data)
    }

    /// The identification of one probe embedding [E].
    public func identify(embedding: [Float]) throws -> Identification {
        let scores = try Gallery.scores(of: embedding, against: gallery.embeddings, inference: gallery.inference, model: model)
        var byPerson = [[Float]](repeating: [], count: names.count)
        for (row, score) in scores.enumerated() {
            if let person = personOfRow[row] { byPerson[person].append(score) }
        }
        let ranking = zip(names, byPerson).map { name, scores -> (name: String, score: Double) in
            let best = scores.sorted(by: >).prefix(Self.bestPhotosPerPerson)
            return (name, best.reduce(0) { $0 + Double($1) } / Double(best.count))
        }.sorted { $0.score != $1.score ? $0.score > $1.score : $0.name < $1.name }
        return Identification(ranking: ranking, threshold: threshold)
    }

    /// Identifies every photo of a labelled folder: one subfolder a person (photos of someone not
    /// enrolled, and those under `unknown/`, should be called unknown). Unreadable photos are skipped
    /// and listed; photos directly in the folder are not counted. `progress(done, total)` follows each photo.
    public func evaluate(labelledFolder folder: URL, decoder: PhotoDecoder, progress: (Int, Int) -> Void = { _, _ in },
                         onSkip: (InputError) -> Void = { _ in }) throws -> IdentificationTally {
        var tally = IdentificationTally()
        let enrolled = Set(names)
        try DataLayout.requireFolder(folder, ifMissing: "check the path")
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else {
            throw InputError.cannotOpen(folder.path, what: "folder")
        }
        let subfolders = entries.sorted().filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path,
                                                                          isDirectory: &isDirectory) && isDirectory.boolValue
        }
        guard !subfolders.isEmpty else {
            throw InputError(path: folder.path, problem: "no subfolders: a labelled folder holds one subfolder of photos per person",
                             nextStep: "put each person's photos in a folder named after them, strangers in unknown/")
        }
        let photos = try subfolders.flatMap { subfolder in
            try DataLayout.imageFilesRecursively(in: folder.appendingPathComponent(subfolder))
                .map { (file: $0, truth: enrolled.contains(subfolder) ? subfolder : nil) }
        }
        for (index, (file, truth)) in photos.enumerated() {
            defer { progress(index + 1, photos.count) }
            do {
                if let crop = try cropper.crop(contentsOf: file, decoder: decoder) {
                    tally.record(truth: truth, answer: try identify(crop.photo).name)
                } else {
                    tally.record(truth: truth, answer: nil, noFace: true)
                }
            } catch let error as InputError where error.path == file.path {
                onSkip(error)
            }
        }
        return tally
    }
}
