package report

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/rules"
)

// The report map is an SVG in an equirectangular projection: x grows with
// longitude scaled by cos(mid-latitude), y with falling latitude (north
// up), fitted into at most mapMaxWidth × mapMaxHeight pixels. Projected
// coordinates are rounded to 0.1 px; nothing is simplified.
const (
	mapMaxWidth  = 960.0
	mapMaxHeight = 640.0
	mapMargin    = 24.0 // around the drawing; the scale bar sits in the bottom one
	mapBottom    = 40.0
	// mapVertexCap bounds the file size: a map layer with more vertices
	// than this is left off the map with a note.
	mapVertexCap = 200_000
	// kmPerDegree is the length of one degree of latitude on a sphere of
	// the mean Earth radius, 6371.0088 km.
	kmPerDegree = 6371.0088 * math.Pi / 180
)

// svgMap is the template data of the map.
type svgMap struct {
	Width, Height string
	Layers        []svgLayer
	Patches       []svgPatch
	Scale         scaleBar
	North         string // "x y" of the north arrow's tip
	Extent        string // "112.90–113.10°E, 28.10–28.30°N"
	Notes         []string
}

type svgLayer struct {
	Name, Level  string
	Fill, Stroke string
	Shape        svgShape
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
	N        int // 1-based position in the findings table
	Severity string
	Title    string
	Shape    svgShape
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

func (p projection) x(lon float64) string { return px(mapMargin + (lon-p.minLon)*p.kx) }
func (p projection) y(lat float64) string { return px(mapMargin + (p.maxLat-lat)*p.ky) }

// px formats a pixel coordinate rounded to 0.1.
func px(v float64) string { return strconv.FormatFloat(round(v, 1), 'f', -1, 64) }

// newMap lays out the map of r.Map and the findings fs (numbered from 1 in
// that order). It returns nil when there is nothing to draw.
func newMap(r *rules.Result, fs []rules.Finding) *svgMap {
	m := &svgMap{}
	var bb bbox
	var drawn []rules.MapLayer
	for _, ml := range r.Map {
		n := 0
		for _, g := range ml.Features {
			n += vertices(g)
		}
		if n > mapVertexCap {
			m.Notes = append(m.Notes, "Layer "+clean(ml.Name)+" ("+clean(ml.Level)+") has "+strconv.Itoa(n)+
				" vertices, more than the "+strconv.Itoa(mapVertexCap)+" the map draws; it is left off the map.")
			continue
		}
		drawn = append(drawn, ml)
		for _, g := range ml.Features {
			eachPoint(g, bb.add)
		}
	}
	unmapped := 0
	for _, f := range fs {
		switch {
		case vertices(f.Geometry) > 0:
			eachPoint(f.Geometry, bb.add)
		case f.At != nil:
			bb.add(*f.At)
		default:
			unmapped++
		}
	}
	switch {
	case unmapped == 1:
		m.Notes = append(m.Notes, "1 finding has no geometry (a layer-level or input problem); it is listed in the table only.")
	case unmapped > 1:
		m.Notes = append(m.Notes, strconv.Itoa(unmapped)+" findings have no geometry (layer-level or input problems); they are listed in the table only.")
	}
	if bb.empty() {
		return nil
	}
	p := bb.fit(m)

	others := 0
	colours := map[string][2]string{}
	for _, ml := range drawn {
		c, ok := levelColour[ml.Level]
		if !ok {
			if c, ok = colours[ml.Level]; !ok {
				c = otherColours[others%len(otherColours)]
				others++
				colours[ml.Level] = c
			}
		}
		var sb shapeBuilder
		for _, g := range ml.Features {
			sb.add(p, g)
		}
		m.Layers = append(m.Layers, svgLayer{
			Name: clean(ml.Name), Level: clean(ml.Level),
			Fill: c[0], Stroke: c[1], Shape: sb.shape(),
		})
	}
	// Draw the lowest severity first so errors end up on top.
	for i := len(fs) - 1; i >= 0; i-- {
		f := fs[i]
		var sb shapeBuilder
		switch {
		case vertices(f.Geometry) > 0:
			sb.add(p, f.Geometry)
		case f.At != nil:
			sb.add(p, *f.At)
		default:
			continue
		}
		title := "#" + strconv.Itoa(i+1) + " " + f.Severity.String() + " " + clean(f.Rule) + ": " + clean(f.Subject())
		if ms := measure(f); ms != "-" {
			title += ", " + ms
		}
		if msg := clean(message(f)); msg != "" {
			title += ". " + msg
		}
		m.Patches = append(m.Patches, svgPatch{N: i + 1, Severity: severityClass(f.Severity), Title: title, Shape: sb.shape()})
	}
	return m
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
