package report

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/rules"
)

// The report map is an SVG in an equirectangular projection: x grows with
// longitude scaled by cos(mid-latitude), y with falling latitude (north
// up), fitted into at most mapMaxWidth × mapMaxHeight pixels. Projected
// coordinates are rounded to 0.1 px; nothing is simplified. The page's
// script zooms and pans it by changing the viewBox.
//
// The map stays small at any size of plan set: context layers are drawn
// until mapVertexCap vertices, and a layer beyond that as the grid cells
// its features occupy; findings are drawn one by one (patchVertexCap
// vertices at most, a larger patch as its bounding box) when the findings
// table lists them all, else as a grid of counts (mapCellPx cells coloured
// by their most severe finding) with the findings of the table on top.
const (
	mapMaxWidth  = 1240.0
	mapMaxHeight = 880.0
	mapMargin    = 24.0 // around the drawing; the scale bar sits in the bottom one
	mapBottom    = 40.0
	// mapVertexCap bounds the context layers' share of the file size.
	mapVertexCap = 200_000
	// patchVertexCap bounds the findings' share.
	patchVertexCap = 100_000
	// mapCellPx is the size of a grid cell at the initial zoom.
	mapCellPx = 8.0
	// minPatchPx is the smallest a finding is drawn at any zoom: a patch
	// smaller than this across gets a round marker of this diameter.
	minPatchPx = 6.0
	// kmPerDegree is the length of one degree of latitude on a sphere of
	// the mean Earth radius, 6371.0088 km.
	kmPerDegree = 6371.0088 * math.Pi / 180
)

// svgMap is the template data of the map.
type svgMap struct {
	Width, Height string
	Layers        []svgLayer
	Cells         []svgCell // the grid of findings; empty when all are drawn
	CellPx        string
	Patches       []svgPatch
	Scale         scaleBar
	North         string // "x y" of the north arrow's tip
	Extent        string // "112.90–113.10°E, 28.10–28.30°N"
	Notes         []string
	ByState       bool // colour by review state rather than severity
}

type svgLayer struct {
	Name, Level  string
	Fill, Stroke string
	Shape        svgShape
	Grid         string // path of occupied cells, for a layer over the cap
}

// svgShape is one geometry (or several) as SVG: polygons in one path,
// lines in another, points as circles.
type svgShape struct {
	Area   string
	Line   string
	Points []svgPoint
}

type svgPoint struct{ X, Y string }

type svgPatch struct {
	N      int    // 1-based position in report order (ledger 序号)
	Class  string // severity, state and decision classes
	Title  string
	Shape  svgShape
	Marker *svgPoint // centre of a patch smaller than minPatchPx
}

// svgCell is one grid cell of findings.
type svgCell struct {
	X, Y  string
	Class string // most severe finding, and a density class d1…d5
	Title string
}

type scaleBar struct {
	X1, X2, Y, TickY, TextY string
	Label                   string
}

// levelColour is a muted fill and a darker stroke per planning level.
var levelColour = map[string][2]string{
	"regional":       {"#ddd2e8", "#9a86b3"},
	"green-heart":    {"#cfe4c2", "#6f9a5b"},
	"city-master":    {"#f4dfc5", "#c0956a"},
	"land-use":       {"#eee9bb", "#aaa055"},
	"infrastructure": {"#cbd5df", "#6f8298"},
	"boundary":       {"none", "#555555"},
}

// otherColours are used, in order, for levels not in levelColour.
var otherColours = [][2]string{
	{"#e2d8cd", "#9c8b79"},
	{"#cfe2e2", "#6a9999"},
	{"#e8d1da", "#a37789"},
	{"#dcdcdc", "#808080"},
}

// projection maps lon/lat to SVG pixels.
type projection struct {
	minLon, maxLat float64
	kx, ky         float64 // px per degree of longitude and of latitude
}

func (p projection) fx(lon float64) float64 { return mapMargin + (lon-p.minLon)*p.kx }
func (p projection) fy(lat float64) float64 { return mapMargin + (p.maxLat-lat)*p.ky }
func (p projection) x(lon float64) string   { return px(p.fx(lon)) }
func (p projection) y(lat float64) string   { return px(p.fy(lat)) }

// px formats a pixel coordinate rounded to 0.1.
func px(v float64) string { return strconv.FormatFloat(round(v, 1), 'f', -1, 64) }

// mapPlan says which findings the map draws: draw[i] for one by one, and
// whether the others go into a grid.
type mapPlan struct {
	draw map[int]bool
	grid bool
	full bool // the patch titles carry the message (the table lists all)
}

// newMap lays out the map of r.Map and the findings fs (numbered from 1 in
// that order) as plan says. It returns nil when there is nothing to draw.
func newMap(r *rules.Result, fs []rules.Finding, kinds []string, plan mapPlan) *svgMap {
	m := &svgMap{}
	var bb bbox
	for _, ml := range r.Map {
		for _, g := range ml.Features {
			eachPoint(g, bb.add)
		}
	}
	for i, f := range fs {
		if drawable(kinds[i]) {
			eachPoint(f.Geometry, bb.add)
			if vertices(f.Geometry) == 0 && f.At != nil {
				bb.add(*f.At)
			}
		}
	}
	if bb.empty() {
		return nil
	}
	p := bb.fit(m)
	m.CellPx = px(mapCellPx)

	budget := mapVertexCap
	others := 0
	colours := map[string][2]string{}
	for _, ml := range r.Map {
		c, ok := levelColour[ml.Level]
		if !ok {
			if c, ok = colours[ml.Level]; !ok {
				c = otherColours[others%len(otherColours)]
				others++
				colours[ml.Level] = c
			}
		}
		n := 0
		for _, g := range ml.Features {
			n += vertices(g)
		}
		layer := svgLayer{Name: clean(ml.Name), Level: clean(ml.Level), Fill: c[0], Stroke: c[1]}
		if n > budget {
			m.Notes = append(m.Notes, "Layer "+clean(ml.Name)+" ("+clean(ml.Level)+") has "+strconv.Itoa(n)+
				" vertices, more than the map draws; it is shown as the "+px(mapCellPx)+" px cells its features occupy.")
			layer.Grid = occupancy(p, ml.Features)
		} else {
			budget -= n
			var sb shapeBuilder
			for _, g := range ml.Features {
				sb.add(p, g)
			}
			layer.Shape = sb.shape()
		}
		m.Layers = append(m.Layers, layer)
	}
	if plan.grid {
		m.Cells = findingGrid(p, fs, kinds)
	}
	// Draw the lowest severity first so errors end up on top.
	budget = patchVertexCap
	for i := len(fs) - 1; i >= 0; i-- {
		f := fs[i]
		if !plan.draw[i] || !drawable(kinds[i]) {
			continue
		}
		var sb shapeBuilder
		g := f.Geometry
		if vertices(g) == 0 {
			g = *f.At
		}
		if n := vertices(g); n > budget {
			var b bbox
			eachPoint(g, b.add)
			g = orb.Bound{Min: b.min, Max: b.max}
		} else {
			budget -= n
		}
		sb.add(p, g)
		title := "#" + strconv.Itoa(i+1) + " " + f.Severity.String() + " " + clean(f.Rule) + ": " + clean(f.Subject())
		if ms := measure(f); ms != "-" {
			title += ", " + ms
		}
		if msg := clean(message(f)); msg != "" && plan.full {
			title += ". " + msg
		}
		patch := svgPatch{N: i + 1, Class: findingClass(f), Title: title, Shape: sb.shape()}
		if _, isPoint := g.(orb.Point); !isPoint {
			var b bbox
			eachPoint(g, func(pt orb.Point) { b.add(orb.Point{p.fx(pt[0]), p.fy(pt[1])}) })
			if !b.empty() && (b.max[0]-b.min[0] < minPatchPx || b.max[1]-b.min[1] < minPatchPx) {
				patch.Marker = &svgPoint{X: px((b.min[0] + b.max[0]) / 2), Y: px((b.min[1] + b.max[1]) / 2)}
			}
		}
		m.Patches = append(m.Patches, patch)
	}
	return m
}

// drawable: the kinds the map draws (not layer extents).
func drawable(kind string) bool {
	return kind == kindPatch || kind == kindMarker || kind == kindEnvelope
}

// findingClass is the CSS classes of a finding: severity, then st-STATE,
// dc-DECISION and waived when it has been reviewed.
func findingClass(f rules.Finding) string {
	c := severityClass(f.Severity)
	if rv := f.Review; rv != nil {
		if rv.State != "" {
			c += " st-" + rv.State
		}
		if rv.Decision != nil {
			c += " dc-" + clean(rv.Decision.Status)
		}
		if rv.Waived {
			c += " waived"
		}
	}
	return c
}

// occupancy is an SVG path of the mapCellPx cells holding a vertex of gs.
func occupancy(p projection, gs []orb.Geometry) string {
	cells := map[[2]int]bool{}
	for _, g := range gs {
		eachPoint(g, func(pt orb.Point) {
			if finite(pt[0]) && finite(pt[1]) {
				cells[[2]int{int(p.fx(pt[0]) / mapCellPx), int(p.fy(pt[1]) / mapCellPx)}] = true
			}
		})
	}
	keys := make([][2]int, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int) int { return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0])) })
	var b strings.Builder
	for _, k := range keys {
		b.WriteString("M" + px(float64(k[0])*mapCellPx) + " " + px(float64(k[1])*mapCellPx) + "h" + px(mapCellPx) + "v" + px(mapCellPx) + "h-" + px(mapCellPx) + "Z")
	}
	return b.String()
}

// findingGrid counts the drawable findings by the mapCellPx cell of their
// bounding box's centre.
func findingGrid(p projection, fs []rules.Finding, kinds []string) []svgCell {
	type cell struct {
		n   [3]int // info, warning, error
		sev rules.Severity
	}
	cells := map[[2]int]*cell{}
	for i, f := range fs {
		if !drawable(kinds[i]) {
			continue
		}
		var b bbox
		eachPoint(f.Geometry, b.add)
		if b.empty() && f.At != nil {
			b.add(*f.At)
		}
		if b.empty() {
			continue
		}
		k := [2]int{int(p.fx((b.min[0]+b.max[0])/2) / mapCellPx), int(p.fy((b.min[1]+b.max[1])/2) / mapCellPx)}
		c := cells[k]
		if c == nil {
			c = &cell{sev: f.Severity}
			cells[k] = c
		}
		s := min(max(int(f.Severity), 0), 2)
		c.n[s]++
		c.sev = max(c.sev, f.Severity)
	}
	keys := make([][2]int, 0, len(cells))
	for k := range cells {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]int) int { return cmp.Or(cmp.Compare(a[1], b[1]), cmp.Compare(a[0], b[0])) })
	out := make([]svgCell, 0, len(keys))
	for _, k := range keys {
		c := cells[k]
		total := c.n[0] + c.n[1] + c.n[2]
		d := 1
		for t := total; t >= 10 && d < 5; t /= 10 {
			d++
		}
		if total > 1 && d == 1 {
			d = 2
		}
		title := plural(total, "finding") + ": " + plural(c.n[2], "error") + ", " + plural(c.n[1], "warning") + ", " + strconv.Itoa(c.n[0]) + " info"
		out = append(out, svgCell{
			X: px(float64(k[0]) * mapCellPx), Y: px(float64(k[1]) * mapCellPx),
			Class: severityClass(c.sev) + " d" + strconv.Itoa(d), Title: title,
		})
	}
	return out
}

// severityClass is the CSS class of a severity: error, warning or info.
func severityClass(s rules.Severity) string {
	switch {
	case s >= rules.Error:
		return "error"
	case s == rules.Warning:
		return "warning"
	}
	return "info"
}

// bbox is a lon/lat bounding box that ignores non-finite points.
type bbox struct {
	min, max orb.Point
	n        int
}

func (b *bbox) add(p orb.Point) {
	if !finite(p[0]) || !finite(p[1]) {
		return
	}
	if b.n == 0 {
		b.min, b.max = p, p
	} else {
		b.min = orb.Point{math.Min(b.min[0], p[0]), math.Min(b.min[1], p[1])}
		b.max = orb.Point{math.Max(b.max[0], p[0]), math.Max(b.max[1], p[1])}
	}
	b.n++
}

func (b *bbox) empty() bool { return b.n == 0 }

// fit chooses the projection that fits b into the map, and sets the map's
// size, scale bar, north arrow and extent caption.
func (b *bbox) fit(m *svgMap) projection {
	const pad = 0.005 // degrees, for a box of zero width or height
	minLon, maxLon, minLat, maxLat := b.min[0], b.max[0], b.min[1], b.max[1]
	if maxLon-minLon == 0 {
		minLon, maxLon = minLon-pad, maxLon+pad
	}
	if maxLat-minLat == 0 {
		minLat, maxLat = minLat-pad, maxLat+pad
	}
	cos := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	if cos < 0.01 {
		cos = 0.01 // near the poles; plan data never gets here
	}
	w, h := (maxLon-minLon)*cos, maxLat-minLat // in degrees of latitude
	k := math.Min((mapMaxWidth-2*mapMargin)/w, (mapMaxHeight-mapMargin-mapBottom)/h)
	width := w*k + 2*mapMargin
	height := h*k + mapMargin + mapBottom
	m.Width, m.Height = px(math.Ceil(width)), px(math.Ceil(height))

	// Scale bar: the longest 1, 2 or 5 × 10ⁿ km that fits a quarter of the width.
	kmPerPx := kmPerDegree / k
	target := (width - 2*mapMargin) / 4 * kmPerPx
	step := math.Pow10(int(math.Floor(math.Log10(target))))
	km := step
	for _, f := range []float64{2, 5} {
		if f*step <= target {
			km = f * step
		}
	}
	y := height - mapBottom/2
	m.Scale = scaleBar{
		X1: px(mapMargin), X2: px(mapMargin + km/kmPerPx),
		Y: px(y), TickY: px(y - 5), TextY: px(y - 8),
		Label: strconv.FormatFloat(round(km, 3), 'f', -1, 64) + " km",
	}
	// The north arrow sits in the bottom strip, right, clear of the data.
	m.North = px(width-mapMargin) + " " + px(height-mapBottom+6)
	m.Extent = extent(b.min[0], b.max[0], "E", "W") + ", " + extent(b.min[1], b.max[1], "N", "S")
	return projection{minLon: minLon, maxLat: maxLat, kx: k * cos, ky: k}
}

// extent is "112.9–113.1°E" for a range of longitudes or latitudes.
func extent(lo, hi float64, pos, neg string) string {
	f := func(v float64) string {
		v = round(v, 4)
		hemi := pos
		if v < 0 {
			v, hemi = -v, neg
		}
		return strconv.FormatFloat(v, 'f', 4, 64) + "°" + hemi
	}
	return f(lo) + " – " + f(hi)
}

// shapeBuilder collects SVG path data for polygons, lines and points.
type shapeBuilder struct {
	area, line strings.Builder
	points     []svgPoint
}

func (s *shapeBuilder) shape() svgShape {
	return svgShape{Area: s.area.String(), Line: s.line.String(), Points: s.points}
}

func (s *shapeBuilder) add(p projection, g orb.Geometry) {
	switch g := g.(type) {
	case orb.Point:
		s.points = append(s.points, svgPoint{X: p.x(g[0]), Y: p.y(g[1])})
	case orb.MultiPoint:
		for _, pt := range g {
			s.add(p, pt)
		}
	case orb.LineString:
		s.path(&s.line, p, g, false)
	case orb.MultiLineString:
		for _, ls := range g {
			s.path(&s.line, p, ls, false)
		}
	case orb.Ring:
		s.path(&s.area, p, g, true)
	case orb.Polygon:
		for _, r := range g {
			s.path(&s.area, p, r, true)
		}
	case orb.MultiPolygon:
		for _, pg := range g {
			s.add(p, pg)
		}
	case orb.Bound:
		s.add(p, g.ToPolygon())
	case orb.Collection:
		for _, m := range g {
			s.add(p, m)
		}
	}
}

// path appends "M x y x y … [Z]" to b: a ring leaves out its closing point
// and ends with Z. Non-finite points are skipped.
func (s *shapeBuilder) path(b *strings.Builder, p projection, pts []orb.Point, ring bool) {
	if ring && len(pts) > 1 && pts[0] == pts[len(pts)-1] {
		pts = pts[:len(pts)-1]
	}
	first := true
	for _, pt := range pts {
		if !finite(pt[0]) || !finite(pt[1]) {
			continue
		}
		if first {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("M")
			first = false
		} else {
			b.WriteByte(' ')
		}
		b.WriteString(p.x(pt[0]) + " " + p.y(pt[1]))
	}
	if ring && !first {
		b.WriteString("Z")
	}
}

// eachPoint calls fn for every vertex of g.
func eachPoint(g orb.Geometry, fn func(orb.Point)) {
	switch g := g.(type) {
	case orb.Point:
		fn(g)
	case orb.MultiPoint:
		for _, p := range g {
			fn(p)
		}
	case orb.LineString:
		for _, p := range g {
			fn(p)
		}
	case orb.MultiLineString:
		for _, ls := range g {
			eachPoint(ls, fn)
		}
	case orb.Ring:
		for _, p := range g {
			fn(p)
		}
	case orb.Polygon:
		for _, r := range g {
			eachPoint(r, fn)
		}
	case orb.MultiPolygon:
		for _, pg := range g {
			eachPoint(pg, fn)
		}
	case orb.Bound:
		fn(g.Min)
		fn(g.Max)
	case orb.Collection:
		for _, m := range g {
			eachPoint(m, fn)
		}
	}
}

// vertices counts the vertices of g.
func vertices(g orb.Geometry) int {
	n := 0
	eachPoint(g, func(orb.Point) { n++ })
	return n
}
