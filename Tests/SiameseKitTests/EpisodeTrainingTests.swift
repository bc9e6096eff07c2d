// EpisodeTrainingTests.swift — `train --identities --episodes`: the block network, the episodes drawn from the
// training identities only, the picture augmentations, the head fitted to distances, and a run that resumes
// bit for bit and keeps its best epoch's weights.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

final class EpisodeTrainingTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws { root = try TestPaths.temporaryFolder("episodes") }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: root) }

    /// The 20 bundled ORL subjects as identities, decoded for conv4-omniglot (28×28 grey: quick).
    private func dataset() throws -> FaceDataset {
        let files = try Identities.files(in: TestPaths.sampleFaces).filter { $0.relativePath.hasPrefix("s") && $0.relativePath.contains("/") }
        return try FaceDataset(files: files, input: ConvBlockArchitecture.conv4Omniglot.inputFormat)
    }

    private func settings(episodes: EpisodeSettings) -> TrainingSettings {
        var settings = TrainingSettings(architectureName: ArchitectureName.conv4Omniglot.rawValue, epochs: 3, batchSize: 16,
                                        learningRate: 1e-3, pairsPerClass: 60, testFraction: 0.3, seed: 7, batches: .pairs,
                                        precision: .float32, crop: .centre)
        settings.identities = TestPaths.sampleFaces.path
        settings.episodes = episodes
        return settings
    }

    private let smallEpisodes = EpisodeSettings(perEpoch: 3, classes: 5, shots: 1, queries: 2, quarterTurnClasses: true,
                                                distortions: true, mirror: true)

    func testTheBlockNetworkHasItsShapeAndCountsAndEmbedsEachPhotoAloneAtInference() throws {
        let network = try SiameseNetwork(architecture: .convBlocks(.conv4Omniglot), factory: .glorotUniform(seed: 1))
        // Conv 3×3: 1·9·64 + 64, then 3 × (64·9·64 + 64); four norms of 4 × 64; the head 256 + 1.
        XCTAssertEqual(network.parameterCount, 640 + 3 * 36_928 + 4 * 256 + 257)
        XCTAssertEqual(network.architecture.embeddingSize, 256, "28 → 14 → 7 → 4 → 2: 2·2·64")
        XCTAssertEqual(ConvBlockArchitecture.conv4Faces.embeddingSize, 64, "pooled to one value a filter")
        var random = RandomGenerator(seed: 3)
        let images = Tensor(shape: [3, 28, 28, 1], data: (0..<(3 * 784)).map { _ in random.nextUnitFloat() })
        // A training pass moves the running statistics; inference then uses them, photo by photo.
        let before = network.parameters.first { $0.name == "embedding.block1.norm.running_mean" }!.data
        let trainingEmbeddings = network.embedding(images, training: true)
        XCTAssertEqual(trainingEmbeddings.shape, [3, 256])
        XCTAssertNotEqual(network.parameters.first { $0.name == "embedding.block1.norm.running_mean" }!.data, before)
        let together = network.embedding(images).data
        let alone = network.embedding(Tensor(shape: [1, 28, 28, 1], data: Array(images.data[784..<1568]))).data
        for (a, b) in zip(alone, together[256..<512]) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testTheSphereNetworkProjectsNormalisesAndEmbedsAFaceWithItsMirrorImage() throws {
        let small = ConvBlockArchitecture(inputSide: 16, channels: 1, filters: [8, 8], globalPool: true, projection: 12,
                                          sphereRadius: 3, mirrorAverage: true)
        var plain = small
        plain.mirrorAverage = nil
        let network = try SiameseNetwork(architecture: .convBlocks(small), factory: .glorotUniform(seed: 4))
        let same = try SiameseNetwork(architecture: .convBlocks(plain), factory: .glorotUniform(seed: 4))
        // Two blocks (1·9·8 + 8, 8·9·8 + 8), two norms of 4 × 8, the projection 8·12 + 12, the head 12 + 1.
        XCTAssertEqual(network.parameterCount, 80 + 584 + 64 + 108 + 13)
        XCTAssertEqual(small.embeddingSize, 12)
        XCTAssertNotEqual(network.weightsDigest(), same.weightsDigest(), "the mirror average is another function")
        var random = RandomGenerator(seed: 5)
        let images = Tensor(shape: [2, 16, 16, 1], data: (0..<512).map { _ in random.nextUnitFloat() })
        func length(_ row: ArraySlice<Float>) -> Double { row.map { Double($0) * Double($0) }.reduce(0, +).squareRoot() }
        // While training: every embedding on the sphere of radius 3, no mirror average.
        let training = network.embedding(images, training: true).data
        XCTAssertEqual(length(training[0..<12]), 3, accuracy: 1e-5)
        XCTAssertEqual(length(training[12..<24]), 3, accuracy: 1e-5)
        // At inference: the mean of the picture's and its mirror image's embeddings (each on the sphere), so a
        // picture and its mirror image embed the same.
        _ = same.embedding(images, training: true)  // the same running statistics in both networks
        let averaged = network.embedding(images).data
        let own = same.embedding(images).data, flipped = same.embedding(mirrored(images)).data
        for index in 0..<24 { XCTAssertEqual(averaged[index], 0.5 * (own[index] + flipped[index]), accuracy: 1e-5) }
        XCTAssertEqual(length(own[0..<12]), 3, accuracy: 1e-5)
        for (a, b) in zip(network.embedding(mirrored(images)).data, averaged) { XCTAssertEqual(a, b, accuracy: 1e-5) }
        XCTAssertNotEqual(own, flipped, "the network itself is not symmetric: the average is what makes it so")
        // Files written before these fields existed describe the same networks (same JSON, same digests).
        XCTAssertFalse(ConvBlockArchitecture.conv4Faces.jsonString().contains("projection"))
        XCTAssertFalse(ConvBlockArchitecture.conv4Faces.jsonString().contains("sphere"))
        for (field, value) in [("projection", "0"), ("sphereRadius", "0"), ("sphereRadius", "1e9")] {
            let json = #"{"family":"conv-blocks","inputSide":16,"channels":1,"filters":[8],"globalPool":true,"# + "\"\(field)\":\(value)}"
            let architecture = try XCTUnwrap(ConvBlockArchitecture.fromJSON(json), json)
            XCTAssertNotNil(architecture.problem, json)
        }
        // A projection whose weights alone would take 80 MB (1,024 pooled values to 20,000) is refused before any is made.
        let huge = ConvBlockArchitecture(inputSide: 16, channels: 1, filters: [1024], globalPool: true, projection: 20_000)
        XCTAssertTrue(huge.problem?.contains("projection") ?? false, "\(huge.problem ?? "nil")")
    }

    func testABlockModelFileRoundTripsAndItsArchitectureIsInTheDigest() throws {
        let network = try SiameseNetwork(architecture: .convBlocks(.conv4Omniglot), factory: .glorotUniform(seed: 2))
        let url = root.appendingPathComponent("blocks.safetensors")
        try network.save(to: url)
        let loaded = try SiameseNetwork.load(from: url)
        XCTAssertEqual(loaded.network.architecture, .convBlocks(.conv4Omniglot))
        XCTAssertEqual(loaded.weightsDigest, network.weightsDigest())
        // The same weights with a global pool instead of flattening make another function: another digest,
        // and a file claiming it is refused.
        var pooled = ConvBlockArchitecture.conv4Omniglot
        pooled.globalPool = true
        let archive = try SafetensorsArchive.read(contentsOf: url)
        var metadata = archive.metadata
        metadata[ModelKeys.architecture] = pooled.jsonString()
        let edited = root.appendingPathComponent("edited.safetensors")
        var tensors = archive.tensors
        tensors["classifier.weight"] = StoredTensor(shape: [64, 1], values: Array(archive.tensors["classifier.weight"]!.values.prefix(64)))
        try SafetensorsArchive(tensors: tensors, metadata: metadata).write(to: edited)
        XCTAssertThrowsError(try SiameseNetwork.load(from: edited)) { error in
            XCTAssertTrue("\(error)".contains("digest"), "\(error)")
        }
        // An impossible block architecture is refused with the file's name, never built.
        metadata[ModelKeys.architecture] = #"{"family":"conv-blocks","inputSide":28,"channels":1,"filters":[0],"globalPool":false}"#
        try SafetensorsArchive(tensors: archive.tensors, metadata: metadata).write(to: edited)
        XCTAssertThrowsError(try SiameseNetwork.load(from: edited)) { error in
            XCTAssertTrue("\(error)".contains("edited.safetensors") && "\(error)".contains("cannot be built"), "\(error)")
        }
        // Sizes within each bound but whose first feature map would not fit one image's memory are refused.
        for filters in ["[1024]", "[300,64]"] {
            metadata[ModelKeys.architecture] = #"{"family":"conv-blocks","inputSide":512,"channels":3,"filters":"# + filters + #","globalPool":true}"#
            try SafetensorsArchive(tensors: archive.tensors, metadata: metadata).write(to: edited)
            XCTAssertThrowsError(try SiameseNetwork.load(from: edited)) { error in
                XCTAssertTrue("\(error)".contains("more memory than facever gives one image"), "\(error)")
            }
        }
        metadata[ModelKeys.architecture] = #"{"family":"capsules","inputSide":28}"#
        try SafetensorsArchive(tensors: archive.tensors, metadata: metadata).write(to: edited)
        XCTAssertThrowsError(try SiameseNetwork.load(from: edited)) { error in XCTAssertTrue("\(error)".contains("family"), "\(error)") }
    }

    func testEpisodesComeFromTrainingIdentitiesClassByClassAndRepeatExactly() throws {
        let data = try dataset()
        let split = try Identities.split(dataset: data, pairsPerClass: 60, testFraction: 0.3, seed: 7, batches: .pairs)
        let heldOut = Set(split.testSources.map { String($0.dropFirst("identity:".count)) })
        let sampler = try EpisodeSampler(dataset: data, heldOut: split.testSources, settings: smallEpisodes, seed: 7)
        XCTAssertEqual(sampler.classCount, 14 * 4, "14 training subjects, each turned four ways")
        for number in 0..<20 {
            let (photos, turns, _) = sampler.draw(number)
            XCTAssertEqual(photos.count, 15)
            var classes = Set<String>()
            for group in 0..<5 {
                let members = Array(photos[(group * 3)..<((group + 1) * 3)])
                let identities = Set(members.map { Identities.identity(of: data.photos[$0].relativePath) })
                XCTAssertEqual(identities.count, 1, "a class's photos share an identity")
                XCTAssertEqual(Set(members).count, 3, "no photo twice in a class")
                XCTAssertEqual(Set(turns[(group * 3)..<((group + 1) * 3)]).count, 1, "and a turn")
                XCTAssertFalse(heldOut.contains(identities.first!), "held-out identities never train")
                classes.insert("\(identities.first!)/\(turns[group * 3])")
            }
            XCTAssertEqual(classes.count, 5, "five distinct classes")
        }
        XCTAssertEqual(sampler.episode(4).data, sampler.episode(4).data, "an episode is a function of its number")
        // Distractors: after the full classes, S photos each of identities no class shows, never held out.
        var withDistractors = smallEpisodes
        (withDistractors.distractors, withDistractors.quarterTurnClasses) = (4, false)
        let distracting = try EpisodeSampler(dataset: data, heldOut: split.testSources, settings: withDistractors, seed: 7)
        XCTAssertEqual(distracting.episode(0).shape[0], withDistractors.shape.photos)
        XCTAssertEqual(withDistractors.shape.photos, 5 * 3 + 4)
        for number in 0..<20 {
            let photos = distracting.draw(number).photos.map { Identities.identity(of: data.photos[$0].relativePath) }
            let classes = Set(photos.prefix(15)), distractors = photos.suffix(4)
            XCTAssertEqual(Set(distractors).count, 4, "four distinct distractor identities")
            XCTAssertTrue(classes.isDisjoint(with: distractors), "no distractor is one of the episode's classes")
            XCTAssertTrue(heldOut.isDisjoint(with: distractors), "held-out identities never train")
        }
        withDistractors.distractors = 10
        XCTAssertThrowsError(try EpisodeSampler(dataset: data, heldOut: split.testSources, settings: withDistractors, seed: 7)) { error in
            XCTAssertTrue("\(error)".contains("distractors"), "\(error)")
        }
        XCTAssertNotEqual(sampler.episode(4).data, sampler.episode(5).data)
        var tooWide = smallEpisodes
        tooWide.classes = 57
        XCTAssertThrowsError(try EpisodeSampler(dataset: data, heldOut: split.testSources, settings: tooWide, seed: 7)) { error in
            XCTAssertTrue("\(error)".contains("57-way"), "\(error)")
        }
    }

    func testExemplarClassesAreIdentitiesTooSmallForAClassTheirPhotosRepeated() throws {
        // s1…s10 keep their ten photos; s11…s20 keep one (s11…s15) or two (s16…s20): too few for 1 support + 2 queries.
        let files = try Identities.files(in: TestPaths.sampleFaces).filter { file in
            guard file.relativePath.hasPrefix("s"), let slash = file.relativePath.firstIndex(of: "/"),
                  let subject = Int(file.relativePath.dropFirst().prefix(upTo: slash)) else { return false }
            let photo = file.relativePath[file.relativePath.index(after: slash)...]
            return subject <= 10 || photo == "1.pgm" || (subject > 15 && photo == "2.pgm")
        }
        let data = try FaceDataset(files: files, input: ConvBlockArchitecture.conv4Omniglot.inputFormat)
        var settings = EpisodeSettings(perEpoch: 3, classes: 4, shots: 1, queries: 2, distractors: 2, quarterTurnClasses: false,
                                       distortions: false, mirror: true, lighting: true, exemplars: 3)
        XCTAssertEqual(settings.shape, EpisodeShape(classes: 7, shots: 1, queries: 2, distractors: 2), "exemplars are classes to the loss")
        let sampler = try EpisodeSampler(dataset: data, heldOut: [], settings: settings, seed: 3)
        XCTAssertEqual(sampler.exemplarIdentities.count, 10)
        func subject(_ photo: Int) -> Int {
            let path = data.photos[photo].relativePath
            return Int(path.dropFirst().prefix { $0 != "/" })!
        }
        var exemplarsSeen = Set<Int>()
        for number in 0..<30 {
            let photos = sampler.draw(number).photos
            XCTAssertEqual(photos.count, 7 * 3 + 2)
            let full = photos.prefix(12).map(subject), exemplars = Array(photos[12..<21]), distractors = photos.suffix(2).map(subject)
            XCTAssertTrue(full.allSatisfy { $0 <= 10 }, "full classes are identities with enough photos")
            for group in 0..<3 {
                let members = Array(exemplars[(group * 3)..<(group * 3 + 3)])
                let who = Set(members.map(subject))
                XCTAssertEqual(who.count, 1, "an exemplar class is one identity")
                XCTAssertGreaterThan(who.first!, 10, "too small for a class")
                // Its photos repeat: all of them are shown (one or two), the first again after the last.
                XCTAssertEqual(Set(members).count, who.first! > 15 ? 2 : 1)
                XCTAssertEqual(members[0], members[who.first! > 15 ? 2 : 1])
                exemplarsSeen.insert(who.first!)
            }
            let shown = Set(full + exemplars.map(subject))
            XCTAssertTrue(Set(distractors).isDisjoint(with: shown), "distractors are none of the episode's classes")
            XCTAssertEqual(Set(distractors).count, 2)
        }
        XCTAssertEqual(exemplarsSeen.count, 10, "every small identity serves")
        // The same photo twice in a class is two views of it: mirrored and lit independently.
        let episode = sampler.episode(0), size = data.input.valueCount
        let photos = sampler.draw(0).photos
        let repeated = (12..<21).filter { slot in (12..<slot).contains { photos[$0] == photos[slot] } }
        XCTAssertFalse(repeated.isEmpty)
        for slot in repeated {
            let first = (12..<slot).first { photos[$0] == photos[slot] }!
            XCTAssertNotEqual(Array(episode.data[(slot * size)..<((slot + 1) * size)]),
                              Array(episode.data[(first * size)..<((first + 1) * size)]), "slot \(slot) is another view")
        }
        // Too many exemplar classes for the small identities, or exemplars with no augmentation, are refused.
        settings.exemplars = 11
        XCTAssertThrowsError(try EpisodeSampler(dataset: data, heldOut: [], settings: settings, seed: 3)) { error in
            XCTAssertTrue("\(error)".contains("exemplar"), "\(error)")
        }
        settings.exemplars = 2
        (settings.mirror, settings.lighting) = (false, false)
        XCTAssertNotNil(settings.problem)
        XCTAssertTrue(settings.problem!.contains("--exemplars"), settings.problem!)
    }

    func testPictureTurnsMirrorsAndDistortions() {
        // A 3×3 one-channel picture: 0 1 2 / 3 4 5 / 6 7 8.
        let original = ArraySlice((0..<9).map(Float.init))
        var picture = original
        PictureDistortion.turn(&picture, side: 3, channels: 1, quarterTurns: 1)
        XCTAssertEqual(Array(picture), [6, 3, 0, 7, 4, 1, 8, 5, 2], "a quarter turn clockwise")
        for _ in 0..<3 { PictureDistortion.turn(&picture, side: 3, channels: 1, quarterTurns: 1) }
        XCTAssertEqual(picture, original, "four quarter turns")
        PictureDistortion.turn(&picture, side: 3, channels: 1, quarterTurns: 2)
        XCTAssertEqual(Array(picture), [8, 7, 6, 5, 4, 3, 2, 1, 0])
        picture = original
        PictureDistortion.mirror(&picture, height: 3, width: 3, channels: 1)
        XCTAssertEqual(Array(picture), [2, 1, 0, 5, 4, 3, 8, 7, 6])
        picture = original
        PictureDistortion.apply(.identity, to: &picture, height: 3, width: 3, channels: 1)
        XCTAssertEqual(picture, original)
        // A translation by one pixel to the right: each pixel takes its left neighbour's value (the border repeats).
        PictureDistortion.apply(AffineDistortion(matrix: (1, 0, 0, 1), translation: (1, 0)), to: &picture, height: 3, width: 3, channels: 1)
        XCTAssertEqual(Array(picture), [0, 0, 1, 3, 3, 4, 6, 6, 7])
        // Koch's random distortions stay within their ranges: a distorted picture of constant value keeps it.
        var generator = RandomGenerator(seed: 5)
        var flat = ArraySlice([Float](repeating: 0.5, count: 25))
        for _ in 0..<20 { PictureDistortion.apply(.random(using: &generator), to: &flat, height: 5, width: 5, channels: 1) }
        XCTAssertTrue(flat.allSatisfy { abs($0 - 0.5) < 1e-6 })
        // Lighting: contrast about the mean, then brightness, within [0, 1].
        var lit = ArraySlice<Float>([0.2, 0.4, 0.6])
        PictureDistortion.light(&lit, contrast: 2, brightness: 0.1)
        XCTAssertEqual(Array(lit).map { ($0 * 1000).rounded() / 1000 }, [0.1, 0.5, 0.9])
        PictureDistortion.light(&lit, contrast: 1, brightness: 0.5)
        XCTAssertEqual(Array(lit).map { ($0 * 1000).rounded() / 1000 }, [0.6, 1, 1], "clamped to white")
        for _ in 0..<100 {
            let (contrast, brightness) = PictureDistortion.randomLight(using: &generator)
            XCTAssertTrue((0.6...1.4).contains(contrast) && (-0.15...0.15).contains(brightness))
        }
    }

    func testTheHeadIsFittedToDistancesAndScoresHalfBetweenTheTwoKinds() throws {
        // Same pairs at squared distances 0…1, different pairs at 2…3.
        let same = (0..<50).map { Double($0) / 50 }, different = (0..<50).map { 2 + Double($0) / 50 }
        let (slope, bias) = try XCTUnwrap(DistanceHead.fit(squaredDistances: same + different,
                                                           labels: [Float](repeating: 1, count: 50) + [Float](repeating: 0, count: 50)))
        XCTAssertGreaterThan(slope, 0, "a larger distance, a lower score")
        let crossing = bias / slope
        XCTAssertTrue((1...2).contains(crossing), "the score is 0.5 at d² = \(crossing), between the two kinds")
        XCTAssertNil(DistanceHead.fit(squaredDistances: same, labels: [Float](repeating: 1, count: 50)), "one kind of pair fits nothing")
    }

    func testTheHeadIsFittedOnHeldOutIdentitiesAndFittingItAgainGivesTheSameHead() throws {
        let session = try TrainingSession.start(settings: settings(episodes: smallEpisodes), dataset: try dataset())
        XCTAssertEqual(try session.run(checkpoint: { _ in }), .completed)
        let split = session.split
        XCTAssertEqual(DistanceHead.fittingPairs(of: split), Array(split.test.prefix(DistanceHead.maximumFittingPairs)),
                       "the held-out identities' pairs, which have both kinds")
        var sameOnly = split
        sameOnly.test = split.test.filter { $0.label == 1 }
        XCTAssertEqual(DistanceHead.fittingPairs(of: sameOnly), Array(split.train.prefix(DistanceHead.maximumFittingPairs)),
                       "without both kinds held out: the training pairs")

        let modelURL = root.appendingPathComponent("model.safetensors")
        try session.saveModel(to: modelURL)
        let model = try TrainedModel.load(from: modelURL)
        let heldOut = try HeldOutSet(model: model, inference: model.prepared(for: .float32), layout: DataLayout(root: root),
                                     cropper: .centre, decoder: .ownFormats)
        // Logistic regression with a bias predicts, summed over the pairs it was fitted on, as many "same" as there are.
        let fitted = DistanceHead.fittingPairs(of: split)
        let fittedScores = heldOut.scores.prefix(fitted.count).map(Double.init)
        XCTAssertEqual(fittedScores.reduce(0, +), Double(fitted.filter { $0.label == 1 }.count), accuracy: 0.01 * Double(fitted.count))

        // Fitting the saved model's head again on the same pairs finds the head training kept.
        let kept = (model.network.classifier.weight.data, model.network.classifier.bias.data)
        model.network.classifier.weight.data = [Float](repeating: -1, count: kept.0.count)
        model.network.classifier.bias.data = [0]
        let refitted = try DistanceHead.refitted(model, heldOut: heldOut)
        for (a, b) in zip(refitted.classifier.weight.data + refitted.classifier.bias.data, kept.0 + kept.1) {
            XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b)))
        }

        // Saving the new head: refused when the file no longer holds the model loaded (another run wrote it).
        try SiameseNetwork(architecture: .tiny, seed: 9).save(to: modelURL)
        XCTAssertThrowsError(try model.savingWeights(of: refitted)) {
            XCTAssertTrue("\($0)".contains("the file now holds another model than the one loaded"), "\($0)")
        }
        XCTAssertEqual(try TrainedModel.load(from: modelURL).network.architecture, SiameseNetwork(architecture: .tiny, seed: 9).architecture,
                       "the other model is left as it was")

        // A per-user model's head is trained, not fitted: refused.
        let user = TrainedModel(url: modelURL, network: model.network, metadata: [:], weightsDigest: model.weightsDigest,
                                thresholds: model.thresholds)
        XCTAssertThrowsError(try DistanceHead.refitted(user, heldOut: heldOut)) {
            XCTAssertTrue("\($0)".contains("not trained on episodes of identities"), "\($0)")
        }
    }

    func testKochsSGDFollowsItsScheduleAndAnInterruptedRunResumesBitForBit() throws {
        var settings = settings(episodes: smallEpisodes)
        settings.optimizer = .kochSGD
        settings.momentum = 0.9
        settings.learningRate = 0.01
        // η decays 1 % an epoch; μ rises from 0.5 by 0.04 an epoch to 0.9 (10 epochs) and stays there.
        XCTAssertEqual(settings.scheduledLearningRate(epoch: 0, episodesDone: 0), 0.01)
        XCTAssertEqual(settings.scheduledLearningRate(epoch: 2, episodesDone: 999), 0.01 * 0.99 * 0.99, accuracy: 1e-9)
        for (epoch, momentum) in [(0, 0.5), (1, 0.54), (5, 0.7), (10, 0.9), (30, 0.9)] as [(Int, Float)] {
            XCTAssertEqual(settings.scheduledMomentum(epoch: epoch), momentum, accuracy: 1e-6, "epoch \(epoch)")
        }
        let optimizer = try XCTUnwrap(settings.makeOptimizer() as? MomentumSGD)
        settings.schedule(optimizer, epoch: 3, episodesDone: 0)
        XCTAssertEqual(optimizer.momentum, 0.62, accuracy: 1e-6)
        XCTAssertEqual(optimizer.learningRate, 0.01 * pow(0.99, 3), accuracy: 1e-9)
        var adam = settings
        adam.optimizer = nil
        adam.momentum = nil
        XCTAssertTrue(adam.makeOptimizer() is Adam, "no optimizer named: Adam, as in files from before")

        let straight = try TrainingSession.start(settings: settings, dataset: try dataset())
        XCTAssertTrue(straight.optimizer is MomentumSGD)
        XCTAssertEqual(try straight.run(checkpoint: { _ in }), .completed)
        let checkpointURL = root.appendingPathComponent("koch.checkpoint.safetensors")
        let interrupted = try TrainingSession.start(settings: settings, dataset: try dataset())
        var steps = 0
        XCTAssertEqual(try interrupted.run(shouldStop: { steps >= 4 }, checkpoint: { try Checkpoint.write(session: $0, to: checkpointURL) },
                                           events: { if case .step = $0 { steps += 1 } }), .interrupted)
        let checkpoint = try Checkpoint.read(from: checkpointURL)
        XCTAssertTrue(checkpoint.optimizerState.keys.allSatisfy { $0.hasPrefix("sgd.v.") } && !checkpoint.optimizerState.isEmpty)
        XCTAssertThrowsError(try TrainingSession.resume(from: checkpoint, path: checkpointURL.path, settings: adam, dataset: try dataset()),
                             "an SGD run cannot be resumed as an Adam one")
        let resumed = try TrainingSession.resume(from: checkpoint, path: checkpointURL.path, settings: settings, dataset: try dataset())
        XCTAssertEqual(try resumed.run(checkpoint: { _ in }), .completed)
        for (a, b) in zip(resumed.network.parameters, straight.network.parameters) {
            XCTAssertEqual(a.data.map(\.bitPattern), b.data.map(\.bitPattern), a.name!)
        }

        // The settings say what they mean: momentum only with Koch's SGD, below 1; older settings read as Adam.
        var wrong = settings
        wrong.momentum = 1
        XCTAssertEqual(wrong.problem, "--momentum must be in [0, 1)")
        wrong = adam
        wrong.momentum = 0.9
        XCTAssertEqual(wrong.problem, "--momentum is for --optimizer koch-sgd (Adam keeps its own moments)")
        XCTAssertFalse(adam.jsonString().contains("optimizer"), "an Adam run's settings are written as before")
        XCTAssertEqual(TrainingSettings.fromJSON(settings.jsonString()), settings)
    }

    func testAnEpisodeRunResumesBitForBitAndKeepsItsBestEpoch() throws {
        let settings = settings(episodes: smallEpisodes)
        let straight = try TrainingSession.start(settings: settings, dataset: try dataset())
        XCTAssertEqual(try straight.run(checkpoint: { _ in }), .completed)
        let scores = straight.progress.history.map(\.heldOutOneShot)
        XCTAssertEqual(scores.count, 3)
        XCTAssertTrue(scores.allSatisfy { $0 != nil && (0...1).contains($0!) }, "\(scores)")

        let checkpointURL = root.appendingPathComponent("model.checkpoint.safetensors")
        let interrupted = try TrainingSession.start(settings: settings, dataset: try dataset())
        var steps = 0
        XCTAssertEqual(try interrupted.run(shouldStop: { steps >= 4 }, checkpoint: { try Checkpoint.write(session: $0, to: checkpointURL) },
                                           events: { if case .step = $0 { steps += 1 } }), .interrupted)
        let resumed = try TrainingSession.resume(from: try Checkpoint.read(from: checkpointURL), path: checkpointURL.path,
                                                 settings: settings, dataset: try dataset())
        XCTAssertNotNil(resumed.bestWeights, "the checkpoint carries the best epoch so far")
        XCTAssertEqual(try resumed.run(checkpoint: { try Checkpoint.write(session: $0, to: checkpointURL) }), .completed)
        for (a, b) in zip(resumed.network.parameters, straight.network.parameters) {
            XCTAssertEqual(a.data.map(\.bitPattern), b.data.map(\.bitPattern), a.name!)
        }
        XCTAssertEqual(resumed.bestWeights, straight.bestWeights)
        XCTAssertEqual(resumed.progress.history.map(\.heldOutOneShot), scores)

        // The model keeps the best epoch's weights (the first of the best, when epochs tie).
        let best = scores.map { $0! }.firstIndex(of: scores.map { $0! }.max()!)!
        let modelURL = root.appendingPathComponent("model.safetensors")
        try straight.saveModel(to: modelURL)
        let model = try SiameseNetwork.load(from: modelURL).network
        for parameter in model.parameters { XCTAssertEqual(parameter.data, straight.bestWeights![parameter.name!], parameter.name!) }
        print("episode run: held-out one-shot \(scores), best epoch \(best + 1)")
    }

    func testEpisodeSettingsAreChecked() {
        var settings = settings(episodes: smallEpisodes)
        settings.architectureName = ArchitectureName.tiny.rawValue
        XCTAssertTrue(settings.problem?.contains("conv4") ?? false, "a Koch network is compared by |e1 − e2|, not by distance")
        settings = self.settings(episodes: EpisodeSettings(perEpoch: 3, classes: 1, shots: 1, queries: 1, quarterTurnClasses: false,
                                                           distortions: false, mirror: false))
        XCTAssertTrue(settings.problem?.contains("--way") ?? false)
        settings.episodes = EpisodeSettings(perEpoch: 3, classes: 1000, shots: 2, queries: 3, quarterTurnClasses: false,
                                            distortions: false, mirror: false)
        XCTAssertTrue(settings.problem?.contains("at most 4096") ?? false, "an episode of 5,000 photos is refused")
        settings.episodes = smallEpisodes
        settings.identities = nil
        XCTAssertThrowsError(try TrainingSession.start(settings: settings, dataset: try dataset()))
    }
}
