// AreaShrinkTests.swift — facever's own shrink (AreaShrink.cpp) gives OpenCV's INTER_AREA bytes, for every
// kind of size: square and not, nearly the same size, a tiny target, scales whole on one axis only, the
// whole-block shrinks it leaves to OpenCV, and a real photo's shrink to the canonical 250 pixels.
@testable import SiameseKit
import TestSupport
import XCTest

final class AreaShrinkTests: XCTestCase {
    /// A picture with smooth regions and sharp edges: noise rounds differently at other places than gradients.
    private func picture(width: Int, height: Int, seed: UInt64) -> RGBImage {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17
                let noise = Int(state % 256)
                let smooth = (x * 255 / max(width - 1, 1) + y * 255 / max(height - 1, 1)) / 2
                for channel in 0..<3 {
                    pixels[3 * (y * width + x) + channel] = UInt8((channel == 1 ? noise : smooth + (x / 7 + y / 5) % 2 * 40) % 256)
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    private func assertSameAsOpenCV(_ width: Int, _ height: Int, to targetWidth: Int, _ targetHeight: Int, seed: UInt64 = 1,
                                    line: UInt = #line) {
        let image = picture(width: width, height: height, seed: seed)
        let ours = image.resized(width: targetWidth, height: targetHeight)
        let openCV = image.resizedByOpenCV(width: targetWidth, height: targetHeight)
        let differing = zip(ours.pixels, openCV.pixels).filter { $0 != $1 }.count
        XCTAssertEqual(differing, 0, "\(width)×\(height) → \(targetWidth)×\(targetHeight): \(differing) bytes differ", line: line)
    }

    func testTheCanonicalShrinksGiveOpenCVsBytes() {
        assertSameAsOpenCV(350, 350, to: 250, 250)      // an LFW crop
        assertSameAsOpenCV(640, 480, to: 250, 188)
        assertSameAsOpenCV(1280, 720, to: 250, 141)
        assertSameAsOpenCV(251, 251, to: 250, 250)      // one pixel less
        assertSameAsOpenCV(1501, 1499, to: 250, 250)    // a photo six times bigger
    }

    func testEveryKindOfSizeGivesOpenCVsBytes() {
        assertSameAsOpenCV(2, 2, to: 1, 1)
        assertSameAsOpenCV(9, 7, to: 1, 1)              // one target pixel
        assertSameAsOpenCV(300, 7, to: 200, 2)          // wide and flat
        assertSameAsOpenCV(500, 375, to: 250, 250)      // a whole scale on one axis only
        assertSameAsOpenCV(500, 500, to: 250, 250)      // whole on both: OpenCV's own path
        assertSameAsOpenCV(750, 300, to: 250, 100)
        var state: UInt64 = 12345
        func next(_ range: ClosedRange<Int>) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return range.lowerBound + Int((state >> 33) % UInt64(range.count))
        }
        for seed in 0..<60 as Range<UInt64> {
            let (width, height) = (next(2...420), next(2...420))
            assertSameAsOpenCV(width, height, to: next(1...(width - 1)), next(1...(height - 1)), seed: seed)
        }
    }

    func testABundledPhotosCanonicalFormIsOpenCVs() throws {
        let photo = try RGBImage.read(contentsOf: TestPaths.sampleFace(subject: 1, number: 1))  // 92 × 112
        let enlarged = photo.resized(width: 391, height: 477)  // enlarging: OpenCV's alone
        XCTAssertTrue(enlarged.pixels == photo.resizedByOpenCV(width: 391, height: 477).pixels)
        XCTAssertTrue(enlarged.storedFace().pixels == enlarged.centreSquare().resizedByOpenCV(width: 250, height: 250).pixels)
    }
}
