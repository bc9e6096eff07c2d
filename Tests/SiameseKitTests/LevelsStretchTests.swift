// LevelsStretchTests.swift — the stretch of a dim picture's levels: its 1st and 99th grey percentiles go to
// black and white by one line for every channel; pictures already spanning the range, or of one level, are
// left alone.
import Foundation
@testable import SiameseKit
import XCTest

final class LevelsStretchTests: XCTestCase {
    func testADimPictureIsStretchedToTheFullRangeByOneLine() throws {
        // 100 × 100 pixels: grey levels 10…49 in equal numbers (250 each), one colour pixel (20, 30, 40).
        var pixels: [UInt8] = []
        for index in 0..<10_000 { let value = UInt8(10 + index % 40); pixels += [value, value, value] }
        pixels.replaceSubrange(0..<3, with: [20, 30, 40])
        let stretched = try XCTUnwrap(RGBImage(width: 100, height: 100, pixels: pixels).levelsStretched())
        // 1 % is 100 pixels: under 250 a level, so the percentiles are the darkest and brightest levels, 10 and 49.
        let line = { (value: Int) -> UInt8 in UInt8(max(0, min(255, ((value - 10) * 255 + 19) / 39))) }
        XCTAssertEqual(Array(stretched.pixels[0..<3]), [line(20), line(30), line(40)], "one line for every channel")
        XCTAssertEqual(stretched.pixels.min(), 0)
        XCTAssertEqual(stretched.pixels.max(), 255)
        XCTAssertEqual(stretched.pixels[3 * 39], 255, "the brightest level, 49, goes to white")
    }

    func testPicturesSpanningTheRangeOrOfOneLevelAreLeftAlone() {
        func greys(_ levels: [Int]) -> RGBImage {
            RGBImage(width: levels.count, height: 1, pixels: levels.flatMap { level -> [UInt8] in [UInt8(level), UInt8(level), UInt8(level)] })
        }
        XCTAssertNil(greys(Array(0..<256)).levelsStretched())
        XCTAssertNil(greys([Int](repeating: 12, count: 16)).levelsStretched())
        // A narrower range than the rule's (60…187) is stretched.
        XCTAssertNotNil(greys((0..<256).map { 60 + $0 / 2 }).levelsStretched())
    }
}
