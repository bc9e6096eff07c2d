// AugmentationTests.swift — each of the five operations does what its formula says, and the
// augmenter names, reproduces and keeps its copies.
import Foundation
@testable import SiameseKit
import Tensor
import TestSupport
import XCTest

final class AugmentationTests: XCTestCase {
    private func meanAndSpread(_ values: [Float], channel: Int) -> (Float, Float) {
        let channelValues = stride(from: channel, to: values.count, by: 3).map { values[$0] }
        let mean = channelValues.reduce(0, +) / Float(channelValues.count)
        let spread = channelValues.map { abs($0 - mean) }.reduce(0, +) / Float(channelValues.count)
        return (mean, spread)
    }

    func testBrightnessContrastAndSaturationFollowTheirFormulas() {
        var values: [Float] = [0.2, 0.4, 0.6, 0.5, 0.5, 0.5, 0.8, 0.3, 0.1, 0.4, 0.4, 0.9]
        let original = values
        Augmentation.adjustBrightness(&values, by: 0.02)
        for (after, before) in zip(values, original) { XCTAssertEqual(after, before + 0.02, accuracy: 1e-6) }

        values = original
        Augmentation.adjustContrast(&values, by: 0.6)
        for channel in 0..<3 {
            let (meanBefore, spreadBefore) = meanAndSpread(original, channel: channel)
            let (meanAfter, spreadAfter) = meanAndSpread(values, channel: channel)
            XCTAssertEqual(meanAfter, meanBefore, accuracy: 1e-6, "contrast keeps each channel's mean")
            XCTAssertEqual(spreadAfter, 0.6 * spreadBefore, accuracy: 1e-6, "and scales the deviations")
        }

        values = original
        Augmentation.adjustSaturation(&values, by: 0.9)
        for pixel in 0..<4 {
            let before = Array(original[(3 * pixel)..<(3 * pixel + 3)]), after = Array(values[(3 * pixel)..<(3 * pixel + 3)])
            XCTAssertEqual(after.max()!, before.max()!, accuracy: 1e-6, "value (max) is kept")
            let saturation = { (p: [Float]) in (p.max()! - p.min()!) / p.max()! }
            XCTAssertEqual(saturation(after), 0.9 * saturation(before), accuracy: 1e-5, "saturation is scaled")
        }
        XCTAssertEqual(Array(values[3..<6]), [0.5, 0.5, 0.5], "grey stays grey")
    }

    func testFlipMirrorsRows() {
        let image = RGBImage(width: 3, height: 1, pixels: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(Augmentation.flippedLeftRight(image).pixels, [7, 8, 9, 4, 5, 6, 1, 2, 3])
    }

    func testParametersStayInTheTutorialsRanges() {
        var generator = RandomGenerator(seed: 1)
        var flips = 0
        for _ in 0..<500 {
            let p = AugmentationParameters.random(using: &generator)
            XCTAssertTrue((-0.02...0.02).contains(p.brightnessDelta))
            XCTAssertTrue((0.6...1).contains(p.contrastFactor))
            XCTAssertTrue((90...100).contains(p.jpegQuality))
            XCTAssertTrue((0.9...1).contains(p.saturationFactor))
            if p.flip { flips += 1 }
        }
        XCTAssertTrue((200...300).contains(flips), "about half flipped, got \(flips)")
    }

    func testAugmenterWritesNamedReproducibleCopiesAndKeepsExistingOnes() throws {
        let root = try TestPaths.temporaryFolder("augment")
        defer { try? FileManager.default.removeItem(at: root) }
        let layout = DataLayout(root: root.appendingPathComponent("data"))
        try FixtureData.importPhotos([(1, 1), (1, 2)], into: .anchor, layout: layout, staging: root)
        let folder = layout.folder(.anchor)

        let first = try Augmenter.run(folder: folder, copies: 4, seed: 9)
        XCTAssertEqual(first.sources, 2)
        XCTAssertEqual(first.written, 8)
        let files = try DataLayout.imageFiles(in: folder)
        XCTAssertEqual(files.count, 10)
        let copies = files.filter(DataLayout.isAugmented)
        XCTAssertEqual(copies.count, 8)
        for copy in copies {
            let image = try RGBImage.read(contentsOf: copy)
            XCTAssertEqual([image.width, image.height], [250, 250])
            XCTAssertTrue(files.contains { !DataLayout.isAugmented($0) && DataLayout.sourceName(of: $0) == DataLayout.sourceName(of: copy) })
        }

        let again = try Augmenter.run(folder: folder, copies: 4, seed: 9)
        XCTAssertEqual(again.written, 0)
        XCTAssertEqual(again.alreadyPresent, 8)

        // Deleting one copy and re-running recreates exactly the same bytes.
        let victim = copies[3]
        let bytes = try Data(contentsOf: victim)
        try FileManager.default.removeItem(at: victim)
        XCTAssertEqual(try Augmenter.run(folder: folder, copies: 4, seed: 9).written, 1)
        XCTAssertEqual(try Data(contentsOf: victim), bytes)
    }

    func testSourceNamesLinkCopiesToTheirPhoto() {
        XCTAssertEqual(DataLayout.sourceName(of: URL(fileURLWithPath: "/d/face-0123.aug7.jpg")), "face-0123")
        XCTAssertEqual(DataLayout.sourceName(of: URL(fileURLWithPath: "/d/face-0123.jpg")), "face-0123")
        XCTAssertEqual(DataLayout.sourceName(of: URL(fileURLWithPath: "/d/my.augment.jpg")), "my.augment")
        XCTAssertFalse(DataLayout.isAugmented(URL(fileURLWithPath: "/d/my.augment.jpg")))
    }
}
