// ResNetEmbeddingTests.swift — the residual network's inference forms against its plain forward: the copy
// with affines folded into the convolutions computes the same function, and the mirror average is the mean of
// the picture's and its mirror image's descriptors.
@testable import SiameseKit
import Tensor
import XCTest

final class ResNetEmbeddingTests: XCTestCase {
    /// A small ResNet of the same kind (a halving stage, a channel change) with random affines.
    private func network(mirror: Bool = false) throws -> ResNetEmbedding {
        try ResNetEmbedding(architecture: architecture(mirror: mirror), factory: randomFactory())
    }

    private func architecture(mirror: Bool) -> ResNetArchitecture {
        let architecture = ResNetArchitecture(
            family: ResNetArchitecture.familyName, inputSide: 23, inputMeans: [120, 110, 100], stemFilters: 4, stemKernel: 3,
            stages: [.init(filters: 4, blocks: 2, downsamples: false), .init(filters: 6, blocks: 1, downsamples: true)],
            embeddingSize: 5, mirrorAverage: mirror)
        XCTAssertNil(architecture.problem)
        return architecture
    }

    private func randomFactory() -> ParameterFactory {
        var random = RandomGenerator(seed: 5)
        return ParameterFactory { request in
            let count = Tensor.elementCount(of: request.shape)
            return (0..<count).map { _ in request.name.hasSuffix(".scale") ? random.uniform(0.5, 1.5) : random.uniform(-0.5, 0.5) }
        }
    }

    private func images(_ count: Int) -> Tensor {
        var random = RandomGenerator(seed: 9)
        return Tensor(shape: [count, 23, 23, 3], data: (0..<(count * 23 * 23 * 3)).map { _ in random.uniform(0, 1) })
    }

    func testFoldingTheAffinesKeepsTheFunction() throws {
        let plain = try network(), folded = plain.foldedForInference()
        XCTAssertTrue(folded.affinesFolded)
        let x = images(3)
        let expected = plain(x).data, actual = folded(x).data
        XCTAssertEqual(expected.count, 15)
        for (a, b) in zip(actual, expected) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
        XCTAssertGreaterThan(expected.map(abs).max()!, 1e-3, "a function that is not all zeros")
    }

    func testTheMirrorAverageIsTheMeanOfBothDescriptors() throws {
        let mirroredNetwork = try network(mirror: true), plainNetwork = try network(mirror: false)
        let x = images(2)
        let both = mirroredNetwork(x).data
        let direct = plainNetwork(x).data, mirror = plainNetwork(mirrored(x)).data
        for index in both.indices { XCTAssertEqual(both[index], (direct[index] + mirror[index]) / 2, accuracy: 1e-5) }
        XCTAssertNotEqual(direct, mirror, "the network is not symmetric, so the mirror changes something")
        // Folding commutes with the average.
        for (a, b) in zip(mirroredNetwork.foldedForInference()(x).data, both) { XCTAssertEqual(a, b, accuracy: 1e-5) }
    }

    func testPackedWeightsGiveTheSameBits() throws {
        let siamese = try SiameseNetwork(architecture: .resnet(architecture(mirror: true)), factory: randomFactory())
        guard case .resnet(let plain) = siamese.embedding else { return XCTFail("a ResNet branch") }
        let x = images(3)
        var computes = KernelPath.allCases.filter { $0 <= KernelPath.bestSupported }
            .map { Compute(precision: .float32, threads: 2, float32Kernel: .facever($0)) }
        if MatrixPrecision.isBFloat16Available { computes.append(Compute(precision: .bfloat16, threads: 2)) }
        for compute in computes {
            let unpacked = plain.foldedForInference(), packed = plain.foldedForInference(packingWeightsFor: compute)
            XCTAssertNil(unpacked.weightsPackedFor)
            XCTAssertEqual(packed.weightsPackedFor, compute)
            XCTAssertEqual(packed(x, compute: compute).data, unpacked(x, compute: compute).data, "\(compute)")
            // And through an InferenceModel, which packs them for its Compute.
            XCTAssertEqual(InferenceModel(network: siamese, compute: compute).embeddings(x).data, unpacked(x, compute: compute).data)
        }
        // OpenBLAS's sgemm has no packed form: nothing is packed.
        XCTAssertNil(plain.foldedForInference(packingWeightsFor: Compute(precision: .float32, float32Kernel: .openBLAS)).weightsPackedFor)
    }

    func testTheFoldedCopyGivesTheSameBitsInSharesOfPicturesAsOnOneThread() throws {
        // With several threads the folded copy runs shares of whole pictures, one thread each (2 pictures on 2
        // threads, 5 on 3: shares of 1 and 2); on one thread, all of them together. Each picture's descriptor
        // is the same either way, and in the same row.
        let folded = try network(mirror: true).foldedForInference()
        let x = images(5)
        for count in [1, 2, 5] {
            let batch = rows(x, 0..<count)
            let single = folded(batch, compute: Compute(precision: .float32, threads: 1)).data
            for threads in [2, 3] {
                XCTAssertEqual(folded(batch, compute: Compute(precision: .float32, threads: threads)).data, single,
                               "\(count) pictures, \(threads) threads")
            }
            // Row by row: each picture's descriptor alone is its row of the batch's.
            for index in 0..<count {
                XCTAssertEqual(folded(rows(x, index..<(index + 1)), compute: Compute(precision: .float32, threads: 1)).data,
                               Array(single[(index * 5)..<((index + 1) * 5)]), "picture \(index) of \(count)")
            }
        }
    }
}
