// Chart.swift — an x–y chart drawn on a Canvas: a title, axes with "nice" ticks (1, 2 or 5 × 10^k) and
// grid lines, axis labels, lines, bars, vertical reference lines, labelled markers and a legend.
// `point(x:y:)` maps data to pixels, so tests can check that a curve lands where its data says.
import Foundation

public struct Chart {
    public struct Series {
        public enum Kind { case line, bars(width: Double) }
        public var name: String
        public var colour: Colour
        public var points: [(x: Double, y: Double)]
        public var kind: Kind

        public init(name: String, colour: Colour, points: [(x: Double, y: Double)], kind: Kind = .line) {
            self.name = name
            self.colour = colour
            self.points = points
            self.kind = kind
        }
    }

    public struct Marker {
        public var x: Double, y: Double
        public var label: String
        public var colour: Colour

        public init(x: Double, y: Double, label: String, colour: Colour) {
            self.x = x
            self.y = y
            self.label = label
            self.colour = colour
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    public var series: [Series] = []
    /// Vertical lines across the plot at an x, with a label at the top (thresholds).
    public var verticalLines: [(x: Double, label: String, colour: Colour)] = []
    public var markers: [Marker] = []
    /// Grey reference lines (the ROC's chance diagonal), drawn under the series.
    public var referenceLines: [[(x: Double, y: Double)]] = []

    /// Ticks on whole numbers only (epochs).
    public var wholeNumberXTicks = false

    public var width = 800
    public var height = 560
    /// The plot area's margins: room for the title, tick labels and axis labels.
    static let marginLeft = 90.0, marginRight = 30.0, marginTop = 84.0, marginBottom = 70.0

    public init(title: String, xLabel: String, yLabel: String, xRange: ClosedRange<Double>, yRange: ClosedRange<Double>) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xRange = Self.drawable(xRange)
        self.yRange = Self.drawable(yRange)
    }

    /// A range ticks and pixels can be computed on: finite, with a finite positive span (a model file's
    /// history could hold anything); otherwise 0…1, or one unit up from a finite lower bound.
    static func drawable(_ range: ClosedRange<Double>) -> ClosedRange<Double> {
        let span = range.upperBound - range.lowerBound
        if range.lowerBound.isFinite && span.isFinite && span > 0 { return range }
        return range.lowerBound.isFinite && abs(range.lowerBound) < 1e300 ? range.lowerBound...(range.lowerBound + 1) : 0...1
    }

    var plotLeft: Double { Self.marginLeft }
    var plotRight: Double { Double(width) - Self.marginRight }
    var plotTop: Double { Self.marginTop }
    var plotBottom: Double { Double(height) - Self.marginBottom }

    /// The pixel of the data point (x, y).
    public func point(x: Double, y: Double) -> (x: Double, y: Double) {
        let fx = (x - xRange.lowerBound) / (xRange.upperBound - xRange.lowerBound)
        let fy = (y - yRange.lowerBound) / (yRange.upperBound - yRange.lowerBound)
        return (plotLeft + fx * (plotRight - plotLeft), plotBottom - fy * (plotBottom - plotTop))
    }

    /// Tick values: a step of 1, 2 or 5 × 10^k giving 4 to 10 ticks inside `range`.
    static func ticks(_ range: ClosedRange<Double>, wholeNumbers: Bool = false) -> [Double] {
        let span = range.upperBound - range.lowerBound
        let magnitude = pow(10, floor(log10(span / 5)))
        var step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { span / $0 <= 10 } ?? 10 * magnitude
        if wholeNumbers { step = max(1, step.rounded(.up)) }
        var values: [Double] = []
        var value = (range.lowerBound / step).rounded(.up) * step
        while value <= range.upperBound + step * 1e-9 && values.count < 12 {
            values.append(abs(value) < step * 1e-9 ? 0 : value)
            value += step
        }
        return values
    }

    static func tickLabel(_ value: Double, step: Double) -> String {
        if step >= 1, value.rounded() == value, abs(value) < 1e9 { return String(Int(value)) }
        let decimals = max(0, Int(-floor(log10(step))))
        return String(format: "%.\(decimals)f", value)
    }

    static let markerTextSize = 0.5
    /// A marker label's line height in pixels: labels closer than this are moved apart.
    static let markerLineHeight = 20.0

    /// Where each marker's label goes: beside its marker, towards the middle of the plot, one line below
    /// it; a label that would overlap one placed before it moves down a line at a time (the ROC's two
    /// markers often sit a few pixels apart), at most two lines for each label placed before it, so that
    /// the search ends whatever the coordinates.
    func markerLabels() -> [(left: Double, width: Double, baseline: Double, right: Bool)] {
        var placed: [(left: Double, width: Double, baseline: Double, right: Bool)] = []
        for marker in markers {
            let p = point(x: marker.x, y: marker.y)
            let right = p.x > (plotLeft + plotRight) / 2
            let width = Canvas.textWidth(marker.label, size: Self.markerTextSize)
            let left = right ? p.x - 12 - width : p.x + 12
            var baseline = p.y + 20
            for _ in 0..<(2 * placed.count) where placed.contains(where: { abs($0.baseline - baseline) < Self.markerLineHeight
                                                                       && $0.left < left + width && left < $0.left + $0.width }) {
                baseline += Self.markerLineHeight
            }
            placed.append((left, width, baseline, right))
        }
        return placed
    }

    public func render() -> RGBImage {
        var canvas = Canvas(width: width, height: height)
        let xTicks = Self.ticks(xRange, wholeNumbers: wholeNumberXTicks), yTicks = Self.ticks(yRange)
        let xStep = xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1, yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
        for value in xTicks {
            let p = point(x: value, y: yRange.lowerBound)
            canvas.line(p.x, plotTop, p.x, plotBottom, colour: .grid)
            canvas.line(p.x, plotBottom, p.x, plotBottom + 6, colour: .axis)
            canvas.text(Self.tickLabel(value, step: xStep), x: p.x, y: plotBottom + 24, size: 0.45, colour: .axis, alignment: .centre)
        }
        for value in yTicks {
            let p = point(x: xRange.lowerBound, y: value)
            canvas.line(plotLeft, p.y, plotRight, p.y, colour: .grid)
            canvas.line(plotLeft - 6, p.y, plotLeft, p.y, colour: .axis)
            canvas.text(Self.tickLabel(value, step: yStep), x: plotLeft - 10, y: p.y + 5, size: 0.45, colour: .axis, alignment: .right)
        }
        canvas.line(plotLeft, plotBottom, plotRight, plotBottom, colour: .axis, thickness: 2)
        canvas.line(plotLeft, plotTop, plotLeft, plotBottom, colour: .axis, thickness: 2)
        for line in referenceLines {
            canvas.polyline(line.map { point(x: $0.x, y: $0.y) }, colour: Colour(170, 170, 170), thickness: 1)
        }
        for series in series {
            switch series.kind {
            case .line:
                canvas.polyline(series.points.map { point(x: $0.x, y: $0.y) }, colour: series.colour, thickness: 2)
                if series.points.count <= 60 {
                    for p in series.points.map({ point(x: $0.x, y: $0.y) }) { canvas.circle(x: p.x, y: p.y, radius: 3, colour: series.colour) }
                }
            case .bars(let barWidth):
                for bar in series.points where bar.y > yRange.lowerBound {
                    let left = point(x: bar.x - barWidth / 2, y: bar.y), right = point(x: bar.x + barWidth / 2, y: yRange.lowerBound)
                    canvas.fillRectangle(x: left.x + 1, y: left.y, width: right.x - left.x - 2, height: right.y - left.y, colour: series.colour)
                }
            }
        }
        for line in verticalLines {
            let p = point(x: line.x, y: yRange.upperBound)
            canvas.line(p.x, plotTop, p.x, plotBottom, colour: line.colour, thickness: 2)
            canvas.text(line.label, x: p.x + 6, y: plotTop + 16, size: 0.45, colour: line.colour)
        }
        for (marker, label) in zip(markers, markerLabels()) {
            let p = point(x: marker.x, y: marker.y)
            canvas.circle(x: p.x, y: p.y, radius: 7, colour: marker.colour)
            canvas.circle(x: p.x, y: p.y, radius: 7, colour: .black, filled: false)
            canvas.text(marker.label, x: label.right ? label.left + label.width : label.left, y: label.baseline, size: Self.markerTextSize,
                        alignment: label.right ? .right : .left)
        }
        // Title, labels, legend.
        canvas.text(title, x: Double(width) / 2, y: 30, size: 0.75, alignment: .centre, bold: true)
        canvas.text(xLabel, x: (plotLeft + plotRight) / 2, y: Double(height) - 18, size: 0.55, alignment: .centre)
        canvas.text(yLabel, x: 12, y: plotTop - 12, size: 0.5)
        // The legend: one row between the title and the plot, right-aligned, so it never hides data.
        var right = plotRight
        for item in series.filter({ !$0.name.isEmpty }).reversed() {
            let textWidth = Canvas.textWidth(item.name, size: 0.5)
            canvas.text(item.name, x: right, y: 58, size: 0.5, alignment: .right)
            canvas.fillRectangle(x: right - textWidth - 32, y: 50, width: 24, height: 8, colour: item.colour)
            right -= textWidth + 52
        }
        return canvas.image
    }
}
