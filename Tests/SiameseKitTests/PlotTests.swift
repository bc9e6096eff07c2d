// PlotTests.swift — the pictures are real: a chart puts a known line and known bars where their data
// says, the figures have their stated size and are not blank, and names outside ASCII never draw garbage.
import Foundation
@testable import SiameseKit
import XCTest

final class PlotTests: XCTestCase {
    private func pixel(_ image: RGBImage, _ x: Double, _ y: Double) -> Colour {
        let offset = (Int(y.rounded()) * image.width + Int(x.rounded())) * 3
        return Colour(image.pixels[offset], image.pixels[offset + 1], image.pixels[offset + 2])
    }

    /// Whether some pixel within `radius` of (x, y) is close to `colour`.
    private func near(_ image: RGBImage, _ x: Double, _ y: Double, _ colour: Colour, radius: Int = 2) -> Bool {
        for dy in -radius...radius {
            for dx in -radius...radius {
                let seen = pixel(image, x + Double(dx), y + Double(dy))
                if abs(Int(seen.red) - Int(colour.red)) + abs(Int(seen.green) - Int(colour.green)) + abs(Int(seen.blue) - Int(colour.blue)) < 60 {
                    return true
                }
            }
        }
        return false
    }

    func testALineAndBarsLandWhereTheirDataSays() {
        var chart = Chart(title: "test", xLabel: "x", yLabel: "y", xRange: 0...10, yRange: 0...100)
        chart.series.append(.init(name: "line", colour: .blue, points: (0...10).map { (Double($0), Double($0 * $0)) }))
        chart.series.append(.init(name: "bars", colour: .vermilion, points: [(x: 2, y: 60)], kind: .bars(width: 1)))
        let image = chart.render()
        XCTAssertEqual([image.width, image.height], [chart.width, chart.height])
        for x in [1.5, 5.0, 7.25] {
            let p = chart.point(x: x, y: x * x)
            XCTAssertTrue(near(image, p.x, p.y, .blue, radius: 3), "the curve y = x² passes through (\(x), \(x * x))")
        }
        let inside = chart.point(x: 2, y: 30), above = chart.point(x: 2, y: 80)
        XCTAssertTrue(near(image, inside.x, inside.y, .vermilion, radius: 0), "inside the bar")
        XCTAssertFalse(near(image, above.x, above.y, .vermilion, radius: 0), "above the bar's top (60)")
        XCTAssertEqual(pixel(image, 5, 5), .white, "the background")
        let unitTicks: [Double] = Chart.ticks(0...1).map { ($0 * 10).rounded() / 10 }
        XCTAssertEqual(unitTicks, [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1])
        XCTAssertEqual(Chart.ticks(0...47), [0, 5, 10, 15, 20, 25, 30, 35, 40, 45])
    }

    func testFiguresHaveTheirSizeAndAreNotBlank() throws {
        let scores: [Float] = [0.9, 0.8, 0.7, 0.35, 0.6, 0.2, 0.1, 0.05], labels: [Float] = [1, 1, 1, 1, 0, 0, 0, 0]
        let history = (1...4).map { EpochRecord(epoch: $0, trainingLoss: 0.7 / Double($0), heldOutLoss: 0.8 / Double($0),
                                                heldOutAccuracy: 0.5 + 0.1 * Double($0), pairsPerSecond: 30) }
        var tally = IdentificationTally()
        tally.record(truth: "ann", answer: "ann")
        tally.record(truth: nil, answer: "ann")
        let images = [Figures.history(history).render(), Figures.roc(scores: scores, labels: labels, threshold: 0.5).render(),
                      Figures.scores(scores: scores, labels: labels, threshold: 0.5).render(), Figures.identification(tally)]
        for image in images {
            let png = try image.pngData()
            let decoded = try RGBImage.decode(png, path: "figure.png")
            XCTAssertEqual(decoded.pixels, image.pixels, "the PNG round-trips")
            let values = decoded.pixels.map(Double.init)
            let mean = values.reduce(0, +) / Double(values.count)
            let spread = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)).squareRoot()
            XCTAssertGreaterThan(spread, 20, "not a blank picture")
            XCTAssertGreaterThan(Set(stride(from: 0, to: decoded.pixels.count, by: 3).map { decoded.pixels[$0] }).count, 20, "drawn, not flat")
        }
        // The ROC's markers: threshold 0.65 accepts 3 of 4 same pairs and no different one, (FAR, TAR) =
        // (0, 3/4); the equal-error point is (1/4, 3/4).
        let roc = Figures.roc(scores: scores, labels: labels, threshold: 0.65)
        let image = roc.render()
        let marker = roc.point(x: 0, y: 0.75), equalError = roc.point(x: 0.25, y: 0.75)
        XCTAssertTrue(near(image, marker.x, marker.y, .orange, radius: 2))
        XCTAssertTrue(near(image, equalError.x, equalError.y, .purple, radius: 2))
    }

    func testRangesNoChartCanDrawBecomeDrawableInsteadOfHanging() {
        // A model file's history could hold any number: an infinite span once looped forever over its ticks.
        XCTAssertEqual(Chart.drawable(0...Double.infinity), 0...1)
        XCTAssertEqual(Chart.drawable(-Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude), 0...1)
        XCTAssertEqual(Chart.drawable(3...3), 3...4)
        XCTAssertLessThanOrEqual(Chart.ticks(0...1e300).count, 12)
        let history = [EpochRecord(epoch: 1, trainingLoss: 1e308, heldOutLoss: .infinity, heldOutAccuracy: .nan, pairsPerSecond: 1)]
        let image = Figures.history(history).render()
        XCTAssertEqual([image.width, image.height], [800, 560])
        XCTAssertEqual(Figures.scores(scores: [.nan, 0.2, 0.9], labels: [1, 0, 1], threshold: 0.5).series[1].points.map(\.y).reduce(0, +), 1,
                       "a NaN score is not counted (and does not trap)")
    }

    func testMarkerLabelsThatWouldOverlapAreMovedApart() {
        // An ROC whose operating point and equal-error point lie a few pixels apart (a near-perfect model).
        var chart = Figures.roc(scores: [0.9, 0.95, 0.99, 0.1, 0.2, 0.6], labels: [1, 1, 1, 0, 0, 0], threshold: 0.5)
        XCTAssertEqual(chart.markers.count, 2)
        chart.markers[1].x = chart.markers[0].x + 0.01
        chart.markers[1].y = chart.markers[0].y
        let labels = chart.markerLabels()
        XCTAssertGreaterThanOrEqual(abs(labels[0].baseline - labels[1].baseline), Chart.markerLineHeight, "\(labels)")
        // Apart, each label stays one line below its own marker.
        chart.markers[1].x = 0.9
        chart.markers[1].y = 0.1
        let apart = chart.markerLabels()
        XCTAssertEqual(apart[1].baseline, chart.point(x: 0.9, y: 0.1).y + 20)
        XCTAssertTrue(apart[1].right, "a marker on the right half has its label on its left")
    }

    func testTextOutsideASCIIDrawsQuestionMarks() {
        XCTAssertEqual(Canvas.printable("Zoë\n李"), "Zo???")
    }
}
