package geo

import (
	"math"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/peterstace/simplefeatures/geom"
	"github.com/peterstace/simplefeatures/rtree"
)

// Validity checks OGC validity as JTS's IsValidOp does, and returns "" for
// a valid geometry, else what is wrong and, when it can be placed, where:
//
//   - every coordinate is finite;
//   - a non-empty LineString has at least 2 distinct positions;
//   - a non-empty linear ring has at least 4 positions, is closed, has at
//     least 3 distinct positions and is simple: it does not cross or touch
//     itself, and does not double back on itself (a spike; overlay engines
//     silently return wrong areas for such rings);
//   - the rings of a polygon meet at most at single points, holes lie
//     inside the shell and not inside each other, and the interior is
//     connected;
//   - the parts of a MultiPolygon have disjoint interiors and touch at
//     most at finitely many points.
//
// Repeated consecutive positions are allowed. Empty geometries, empty
// holes and empty MultiPolygon parts are valid, as in JTS (the GeoJSON
// reader rejects empty rings before it gets here). Nothing is repaired.
func Validity(g orb.Geometry) (string, *orb.Point) {
	t, at := validityText(g)
	return t.Message, at
}

// validityText is Validity in both languages.
func validityText(g orb.Geometry) (Text, *orb.Point) {
	if msg := nonFinite(g); msg.Message != "" {
		return msg, nil
	}
	return validity(g, Text{})
}

func validity(g orb.Geometry, prefix Text) (Text, *orb.Point) {
	switch g := g.(type) {
	case nil, orb.Point, orb.MultiPoint, orb.Bound:
		return Text{}, nil
	case orb.LineString:
		return lineValidity(g, Textf("%sLineString", "%sLineString ", prefix))
	case orb.MultiLineString:
		for i, l := range g {
			if msg, at := lineValidity(l, Textf("%sMultiLineString part %d", "%sMultiLineString 第 %d 部分", prefix, i+1)); msg.Message != "" {
				return msg, at
			}
		}
		return Text{}, nil
	case orb.Ring:
		return polygonValidity(orb.Polygon{g}, prefix)
	case orb.Polygon:
		return polygonValidity(g, prefix)
	case orb.MultiPolygon:
		return multiPolygonValidity(g, prefix)
	case orb.Collection:
		for i, c := range g {
			if msg, at := validity(c, Textf("%sGeometryCollection member %d: ", "%sGeometryCollection 第 %d 个成员：", prefix, i+1)); msg.Message != "" {
				return msg, at
			}
		}
		return Text{}, nil
	}
	return Textf("%sunsupported geometry type %T", "%s不支持的几何类型 %T", prefix, g), nil
}

// nonFinite names the first NaN or infinite coordinate of g.
func nonFinite(g orb.Geometry) Text {
	var msg Text
	eachPoint(g, func(p orb.Point) bool {
		if !isFinite(p[0]) || !isFinite(p[1]) {
			msg = Textf("coordinate %v %v is not a finite number", "坐标 %v %v 不是有限数", p[0], p[1])
			return false
		}
		return true
	})
	return msg
}

// eachPoint calls fn for every position of g until fn returns false.
func eachPoint(g orb.Geometry, fn func(orb.Point) bool) bool {
	pts := func(ps []orb.Point) bool {
		for _, p := range ps {
			if !fn(p) {
				return false
			}
		}
		return true
	}
	switch g := g.(type) {
	case orb.Point:
		return fn(g)
	case orb.MultiPoint:
		return pts(g)
	case orb.LineString:
		return pts(g)
	case orb.Ring:
		return pts(g)
	case orb.MultiLineString:
		for _, l := range g {
			if !pts(l) {
				return false
			}
		}
	case orb.Polygon:
		for _, r := range g {
			if !pts(r) {
				return false
			}
		}
	case orb.MultiPolygon:
		for _, p := range g {
			if !eachPoint(p, fn) {
				return false
			}
		}
	case orb.Collection:
		for _, c := range g {
			if !eachPoint(c, fn) {
				return false
			}
		}
	case orb.Bound:
		return fn(g.Min) && fn(g.Max)
	}
	return true
}

func lineValidity(l orb.LineString, name Text) (Text, *orb.Point) {
	if len(l) == 0 {
		return Text{}, nil
	}
	for _, p := range l[1:] {
		if p != l[0] {
			return Text{}, nil
		}
	}
	at := l[0]
	return Textf("%s has fewer than 2 distinct positions (zero length)", "%s的不同位置少于 2 个（长度为零）", name), &at
}

// ringName names ring i of a polygon: "exterior ring" (外环) or
// "interior ring i" (第 i 个内环).
func ringName(i int) Text {
	if i == 0 {
		return Text{Message: "exterior ring", MessageZH: "外环"}
	}
	return Textf("interior ring %d", "第 %d 个内环", i)
}

// joinAnd joins names as "a, b and c" and "a、b 和 c".
func joinAnd(names []Text) Text {
	if len(names) == 1 {
		return names[0]
	}
	var en, zh []string
	for _, n := range names[:len(names)-1] {
		en, zh = append(en, n.Message), append(zh, n.MessageZH)
	}
	last := names[len(names)-1]
	return Text{Message: strings.Join(en, ", ") + " and " + last.Message, MessageZH: strings.Join(zh, "、") + " 和 " + last.MessageZH}
}

// solidRings drops empty holes; idx maps the result back to p's ring
// numbers. It returns nil when the exterior ring is empty.
func solidRings(p orb.Polygon) (rings orb.Polygon, idx []int) {
	if len(p) == 0 || len(p[0]) == 0 {
		return nil, nil
	}
	for i, r := range p {
		if len(r) > 0 {
			rings = append(rings, r)
			idx = append(idx, i)
		}
	}
	return rings, idx
}

func polygonValidity(p orb.Polygon, prefix Text) (Text, *orb.Point) {
	rings, idx := solidRings(p)
	if rings == nil {
		for i, r := range p {
			if len(r) > 0 {
				at := r[0]
				return Textf("%sexterior ring is empty but %s is not", "%s外环为空，而%s不为空", prefix, ringName(i)), &at
			}
		}
		return Text{}, nil // the empty polygon
	}
	for k, r := range rings {
		if msg, at := ringValidity(r); msg.Message != "" {
			return Textf("%s%s %s", "%s%s%s", prefix, ringName(idx[k]), msg), at
		}
	}
	if len(rings) == 1 {
		// The exact ring check is the whole test; simplefeatures would
		// repeat it in floating point and can see near-parallel edges
		// meet (JTS misc/TestValid.xml, GEOS ticket 588).
		return Text{}, nil
	}
	if !sfAcceptsHoles(rings) {
		if err := sfPolygon(rings).Validate(); err != nil {
			violation, at := describeSF(err.Error())
			msg, at := polygonReason(violation, at, rings, idx)
			return Textf("%s%s", "%s%s", prefix, msg), at
		}
	}
	if msg, at := nestedHoles(rings, idx); msg.Message != "" {
		return Textf("%s%s", "%s%s", prefix, msg), at
	}
	return Text{}, nil
}

func multiPolygonValidity(mp orb.MultiPolygon, prefix Text) (Text, *orb.Point) {
	parts := make([]geom.Polygon, 0, len(mp))
	partIdx := make([]int, 0, len(mp)) // parts[k] is mp[partIdx[k]]
	for i, p := range mp {
		if msg, at := polygonValidity(p, Textf("%sMultiPolygon part %d: ", "%sMultiPolygon 第 %d 部分：", prefix, i+1)); msg.Message != "" {
			return msg, at
		}
		if rings, _ := solidRings(p); rings != nil {
			parts = append(parts, sfPolygon(rings))
			partIdx = append(partIdx, i)
		}
	}
	if len(parts) < 2 {
		return Text{}, nil
	}
	err := geom.NewMultiPolygon(parts).Validate()
	if err == nil {
		return Text{}, nil
	}
	violation, at := describeSF(err.Error())
	if m := partRE.FindStringSubmatch(err.Error()); m != nil && violation != "multipolygon child polygons touch at multiple points" {
		// A part simplefeatures rejects on its own although
		// polygonValidity accepted it (near-parallel edges, see there).
		k, _ := strconv.Atoi(m[1])
		if k >= 0 && k < len(partIdx) {
			i := partIdx[k]
			rings, idx := solidRings(mp[i])
			msg, at := polygonReason(violation, at, rings, idx)
			return Textf("%sMultiPolygon part %d: %s", "%sMultiPolygon 第 %d 部分：%s", prefix, i+1, msg), at
		}
	}
	what := Text{Message: "MultiPolygon parts", MessageZH: "MultiPolygon 的各部分"}
	if at != nil {
		var near []Text
		for i, p := range mp {
			if rings, _ := solidRings(p); rings != nil && pointInPolygon(*at, rings) >= 0 {
				near = append(near, Same(strconv.Itoa(i+1)))
			}
		}
		if len(near) >= 2 {
			what = Textf("MultiPolygon parts %s", "MultiPolygon 第 %s 部分", joinAnd(near))
		}
	}
	return Textf("%s%s overlap, or share an edge or more than one point (parts must have disjoint interiors)",
		"%s%s相互重叠，或共用一条边或多于一个点（各部分的内部不得相交）", prefix, what), at
}

var partRE = regexp.MustCompile(`validating polygon at index (\d+)`)

var nearRE = regexp.MustCompile(`\(at or near \{?(?:POINT\()?([-+0-9.eE]+)[ ,]+([-+0-9.eE]+)\)?\}?\)`)

// describeSF splits a simplefeatures validation error into its rule
// violation and location.
func describeSF(msg string) (string, *orb.Point) {
	var at *orb.Point
	if m := nearRE.FindStringSubmatchIndex(msg); m != nil {
		x, errX := strconv.ParseFloat(msg[m[2]:m[3]], 64)
		y, errY := strconv.ParseFloat(msg[m[4]:m[5]], 64)
		if errX == nil && errY == nil {
			at = &orb.Point{x, y}
		}
		msg = strings.TrimRight(msg[:m[0]]+msg[m[1]:], " :")
	}
	if i := strings.LastIndex(msg, ": "); i >= 0 {
		msg = msg[i+2:]
	}
	return msg, at
}

// polygonReason turns a simplefeatures polygon rule violation into a
// sentence naming the rings involved, and places it when simplefeatures
// does not. rings are the non-empty rings of the polygon and idx their
// numbers in it.
func polygonReason(violation string, at *orb.Point, rings orb.Polygon, idx []int) (Text, *orb.Point) {
	// ringsOn names the rings whose boundary passes through at, or the
	// two nearest when at is a rounded crossing point.
	ringsOn := func(two bool) Text {
		var names []Text
		if at != nil {
			for k, r := range rings {
				if pointInRing(*at, r) == 0 {
					names = append(names, ringName(idx[k]))
				}
			}
			if two && len(names) < 2 && len(rings) >= 2 {
				names = names[:0]
				order := make([]int, len(rings))
				dist := make([]float64, len(rings))
				for k, r := range rings {
					order[k], dist[k] = k, ringDistance(*at, r)
				}
				sort.SliceStable(order, func(i, j int) bool { return dist[order[i]] < dist[order[j]] })
				a, b := order[0], order[1]
				if a > b {
					a, b = b, a
				}
				names = append(names, ringName(idx[a]), ringName(idx[b]))
			}
		}
		if len(names) == 0 {
			return Text{Message: "a ring", MessageZH: "某个环"}
		}
		return joinAnd(names)
	}
	switch violation {
	case "polygon ring not simple":
		// Only reached when the exact check in ringValidity found no
		// meeting: simplefeatures' floating-point test sees edges meet.
		return Textf("%s is nearly self-intersecting: two of its edges come closer than floating-point precision can separate",
			"%s接近自相交：其两条边的距离小于浮点精度所能区分的距离", ringsOn(false)), at
	case "polygon has nested rings":
		if msg, p := nestedHoles(rings, idx); msg.Message != "" {
			return msg, p
		}
		return Text{Message: "an interior ring lies inside another interior ring (nested holes)", MessageZH: "一个内环位于另一个内环之内（嵌套的洞）"}, at
	case "polygon interior ring outside of exterior ring":
		return Textf("%s lies outside the exterior ring (a hole must be inside its shell)", "%s位于外环之外（洞必须在外环之内）", ringsOn(false)), at
	case "polygon has disconnected interior":
		if at == nil {
			at = ringsMeet(rings)
		}
		return Text{Message: "rings touch each other so that they cut the interior into pieces (the interior must be connected)",
			MessageZH: "环相互接触，把内部分割成几块（内部必须连通）"}, at
	case "polygon rings intersect at multiple points":
		if names := ringsOn(true); strings.Contains(names.Message, " and ") {
			return Textf("%s cross, overlap along an edge or touch at more than one point", "%s相交、沿一条边重叠或在多于一个点处接触", names), at
		}
		return Text{Message: "two rings cross, overlap along an edge or touch at more than one point", MessageZH: "两个环相交、沿一条边重叠或在多于一个点处接触"}, at
	}
	return Textf("invalid polygon: %s", "多边形无效：%s", violation), at
}

// ringDistance is the planar distance from p to ring r.
func ringDistance(p orb.Point, r orb.Ring) float64 {
	best := math.Inf(1)
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		dx, dy := b[0]-a[0], b[1]-a[1]
		t := 0.0
		if l := dx*dx + dy*dy; l > 0 {
			t = math.Max(0, math.Min(1, ((p[0]-a[0])*dx+(p[1]-a[1])*dy)/l))
		}
		best = math.Min(best, math.Hypot(p[0]-a[0]-t*dx, p[1]-a[1]-t*dy))
	}
	return best
}

// ringsMeet returns a point where two different rings meet, or nil.
func ringsMeet(rings orb.Polygon) *orb.Point {
	type seg struct{ ring, k int }
	var segs []seg
	var boxes []rtree.Box
	for ri, r := range rings {
		for k := 0; k+1 < len(r); k++ {
			if r[k] != r[k+1] {
				segs = append(segs, seg{ri, k})
				boxes = append(boxes, segBox(r[k], r[k+1]))
			}
		}
	}
	items := make([]rtree.BulkItem, len(segs))
	for i := range segs {
		items[i] = rtree.BulkItem{Box: boxes[i], RecordID: i}
	}
	tree := rtree.BulkLoad(items) // reorders items
	var cand []int
	for i, s := range segs {
		cand = cand[:0]
		_ = tree.RangeSearch(boxes[i], func(j int) error {
			if j > i && segs[j].ring != s.ring {
				cand = append(cand, j)
			}
			return nil
		})
		sort.Ints(cand)
		a, b := rings[s.ring][s.k], rings[s.ring][s.k+1]
		for _, j := range cand {
			t := segs[j]
			if _, p, ok := segmentsMeet(a, b, rings[t.ring][t.k], rings[t.ring][t.k+1]); ok {
				return &p
			}
		}
	}
	return nil
}

// ringValidity checks one non-empty linear ring on its own.
func ringValidity(r orb.Ring) (Text, *orb.Point) {
	// The first position is copied only for a problem: taking its
	// address up front would allocate for every valid ring.
	first := func() *orb.Point { at := r[0]; return &at }
	if len(r) < 4 {
		return Textf("has %d position(s); a linear ring needs at least 4", "有 %d 个位置，线性环至少需要 4 个", len(r)), first()
	}
	if r[0] != r[len(r)-1] {
		return Text{Message: "is not closed (first and last positions differ)", MessageZH: "未闭合（首末位置不同）"}, first()
	}
	v := dedupe(r)
	if len(v) < 4 {
		return Text{Message: "has collapsed: fewer than 3 distinct positions, so it encloses no area", MessageZH: "已退化：不同位置少于 3 个，不围成任何面积"}, first()
	}
	if kind, p, ok := ringSelfMeet(v); ok {
		at := p // p itself would be allocated for every ring
		return kind, &at
	}
	return Text{}, nil
}

// dedupe drops repeated consecutive positions.
func dedupe(r orb.Ring) orb.Ring {
	repeated := false
	for i := 1; i < len(r); i++ {
		if r[i] == r[i-1] {
			repeated = true
			break
		}
	}
	if !repeated {
		return r // the common case: nothing to copy
	}
	out := make(orb.Ring, 0, len(r))
	for i, p := range r {
		if i == 0 || p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	return out
}

// ringSelfMeet finds where a closed ring without repeated positions
// meets itself other than at the shared vertex of consecutive edges. A
// spike (two consecutive edges folding back onto each other) is reported
// first, then the meeting with the lowest pair of edge numbers, so the
// answer does not depend on the search order.
func ringSelfMeet(v orb.Ring) (Text, orb.Point, bool) {
	m := len(v) - 1 // edges v[k]-v[k+1]
	for k := 0; k < m; k++ {
		a, b, d := v[k], v[k+1], v[(k+2)%len(v)]
		if k == m-1 {
			d = v[1]
		}
		// orient's floating-point filter first, without the call: most
		// vertices clearly turn.
		if signClear((b[0]-a[0])*(d[1]-a[1]), (b[1]-a[1])*(d[0]-a[0]), ccwErrBound) {
			continue
		}
		if orient(a, b, d) == 0 && sameSide(b, a, d) {
			return Text{Message: "doubles back on itself (a spike)", MessageZH: "折返（尖刺）"}, b, true
		}
	}
	if m <= smallRing {
		// Small rings (most parcels): comparing every pair of edges is
		// cheaper than building an index. Each edge's box is computed
		// once, not once per pair.
		var boxes [smallRing]orb.Bound
		for k := 0; k < m; k++ {
			boxes[k] = segBound(v[k], v[k+1])
		}
		for i := 0; i < m; i++ {
			bi := boxes[i]
			last := m
			if i == 0 {
				last = m - 1 // the edge before edge 0 shares its vertex
			}
			for j := i + 2; j < last; j++ {
				bj := &boxes[j]
				if bj.Min[0] > bi.Max[0] || bj.Max[0] < bi.Min[0] || bj.Min[1] > bi.Max[1] || bj.Max[1] < bi.Min[1] {
					continue
				}
				if kind, p, ok := segmentsMeet(v[i], v[i+1], v[j], v[j+1]); ok {
					return meetMessage(kind), p, true
				}
			}
		}
		return Text{}, orb.Point{}, false
	}
	boxes := make([]rtree.Box, m)
	items := make([]rtree.BulkItem, m)
	for k := 0; k < m; k++ {
		boxes[k] = segBox(v[k], v[k+1])
		items[k] = rtree.BulkItem{Box: boxes[k], RecordID: k}
	}
	tree := rtree.BulkLoad(items) // reorders items
	var cand []int
	for i := 0; i < m; i++ {
		cand = cand[:0]
		_ = tree.RangeSearch(boxes[i], func(j int) error {
			if j > i+1 && !(i == 0 && j == m-1) {
				cand = append(cand, j)
			}
			return nil
		})
		sort.Ints(cand)
		for _, j := range cand {
			if kind, p, ok := segmentsMeet(v[i], v[i+1], v[j], v[j+1]); ok {
				return meetMessage(kind), p, true
			}
		}
	}
	return Text{}, orb.Point{}, false
}

// smallRing is the most edges ringSelfMeet compares pair by pair.
const smallRing = 64

// segBound is the bounding box of segment ab.
func segBound(a, b orb.Point) orb.Bound {
	return orb.Bound{Min: orb.Point{min(a[0], b[0]), min(a[1], b[1])}, Max: orb.Point{max(a[0], b[0]), max(a[1], b[1])}}
}

func segBox(a, b orb.Point) rtree.Box {
	return rtree.Box{MinX: math.Min(a[0], b[0]), MinY: math.Min(a[1], b[1]), MaxX: math.Max(a[0], b[0]), MaxY: math.Max(a[1], b[1])}
}

// sameSide reports whether p and q, both collinear with o and distinct
// from it, lie on the same side of o.
func sameSide(o, p, q orb.Point) bool {
	if p[0] != o[0] {
		return (p[0] > o[0]) == (q[0] > o[0]) && q[0] != o[0]
	}
	return (p[1] > o[1]) == (q[1] > o[1]) && q[1] != o[1]
}

type meetKind int

const (
	meetTouch meetKind = iota
	meetCross
	meetOverlap
)

// segmentsMeet reports whether segments ab and cd (each of non-zero
// length) share a point, how, and one such point.
func segmentsMeet(a, b, c, d orb.Point) (meetKind, orb.Point, bool) {
	o1 := orient(a, b, c)
	o2 := orient(a, b, d)
	if o1 == 0 && o2 == 0 {
		var shared []orb.Point
		for _, p := range [...]orb.Point{a, b, c, d} {
			if inBox(a, b, p) && inBox(c, d, p) && (len(shared) == 0 || shared[0] != p) {
				shared = append(shared, p)
			}
		}
		switch len(shared) {
		case 0:
			return 0, orb.Point{}, false
		case 1:
			return meetTouch, shared[0], true
		}
		return meetOverlap, shared[0], true
	}
	o3 := orient(c, d, a)
	o4 := orient(c, d, b)
	if o1*o2 < 0 && o3*o4 < 0 {
		// The crossing point, in floating point: only used as "at or near".
		den := (b[0]-a[0])*(d[1]-c[1]) - (b[1]-a[1])*(d[0]-c[0])
		t := ((c[0]-a[0])*(d[1]-c[1]) - (c[1]-a[1])*(d[0]-c[0])) / den
		p := orb.Point{a[0] + t*(b[0]-a[0]), a[1] + t*(b[1]-a[1])}
		if !isFinite(p[0]) || !isFinite(p[1]) {
			p = c
		}
		return meetCross, p, true
	}
	switch {
	case o1 == 0 && inBox(a, b, c):
		return meetTouch, c, true
	case o2 == 0 && inBox(a, b, d):
		return meetTouch, d, true
	case o3 == 0 && inBox(c, d, a):
		return meetTouch, a, true
	case o4 == 0 && inBox(c, d, b):
		return meetTouch, b, true
	}
	return 0, orb.Point{}, false
}

// inBox reports whether p lies in the bounding box of segment ab; for a p
// collinear with ab that means on the segment.
func inBox(a, b, p orb.Point) bool {
	// Plain comparisons: coordinates are finite here, and math.Min's NaN
	// and signed-zero handling costs a third of a point-in-ring test.
	return between(a[0], b[0], p[0]) && between(a[1], b[1], p[1])
}

// between reports whether v lies in the closed interval spanned by a and b.
func between(a, b, v float64) bool {
	if a > b {
		a, b = b, a
	}
	return a <= v && v <= b
}

// ccwErrBound is Shewchuk's error bound for the floating-point orientation
// determinant, (3 + 16ε)ε with ε = 2⁻⁵³.
const ccwErrBound = 3.3306690738754716e-16

// orient returns the sign of the turn a→b→c: 1 counter-clockwise, -1
// clockwise, 0 collinear. It is exact: a floating-point filter decides
// the clear cases and rational arithmetic the rest, so validity never
// depends on rounding.
func orient(a, b, c orb.Point) int {
	if c == a || c == b || a == b {
		return 0
	}
	bax, cay := b[0]-a[0], c[1]-a[1]
	bay, cax := b[1]-a[1], c[0]-a[0]
	if (bax == 0 || cay == 0) && (bay == 0 || cax == 0) {
		return 0 // float differences are 0 only for equal operands
	}
	if detl, detr := bax*cay, bay*cax; signClear(detl, detr, ccwErrBound) {
		if detl > detr {
			return 1
		}
		return -1
	}
	return orientExact(a, b, c)
}

// signClear reports whether detl − detr, both products of rounded
// coordinate differences, has in floating point the sign of its exact
// value: it is farther from zero than errBound times the size of its
// terms (Shewchuk's filter; errBound ccwErrBound or wider). A NaN or
// infinite term, or terms so small the bound underflows, are never clear.
func signClear(detl, detr, errBound float64) bool {
	bound := errBound * (math.Abs(detl) + math.Abs(detr))
	return math.Abs(detl-detr) > bound && bound > 1e-290
}

func orientExact(a, b, c orb.Point) int {
	r := func(v float64) *big.Rat {
		x := new(big.Rat)
		if x.SetFloat64(v) == nil {
			return new(big.Rat)
		}
		return x
	}
	bax := new(big.Rat).Sub(r(b[0]), r(a[0]))
	cay := new(big.Rat).Sub(r(c[1]), r(a[1]))
	bay := new(big.Rat).Sub(r(b[1]), r(a[1]))
	cax := new(big.Rat).Sub(r(c[0]), r(a[0]))
	return new(big.Rat).Mul(bax, cay).Cmp(new(big.Rat).Mul(bay, cax))
}

// pointInRing returns 1 when p is inside ring r, 0 on it and -1 outside.
func pointInRing(p orb.Point, r orb.Ring) int {
	inside := false
	for i := 0; i+1 < len(r); i++ {
		a, b := r[i], r[i+1]
		if a == b {
			continue
		}
		if inBox(a, b, p) && orient(a, b, p) == 0 {
			return 0
		}
		if (a[1] > p[1]) != (b[1] > p[1]) {
			// The edge crosses the horizontal through p. Wholly left of p
			// it cannot cross the ray to the right; wholly right it must.
			if a[0] < p[0] && b[0] < p[0] {
				continue
			}
			if a[0] > p[0] && b[0] > p[0] {
				inside = !inside
				continue
			}
			o := orient(a, b, p)
			if (b[1] > a[1] && o > 0) || (b[1] < a[1] && o < 0) {
				inside = !inside
			}
		}
	}
	if inside {
		return 1
	}
	return -1
}

// pointInPolygon returns 1 when p is in the interior of the polygon, 0 on
// its boundary and -1 outside (or in a hole).
func pointInPolygon(p orb.Point, rings orb.Polygon) int {
	if len(rings) == 0 {
		return -1
	}
	rel := pointInRing(p, rings[0])
	if rel <= 0 {
		return rel
	}
	for _, h := range rings[1:] {
		switch pointInRing(p, h) {
		case 0:
			return 0
		case 1:
			return -1
		}
	}
	return 1
}

// nestedHoles finds a hole inside another hole. It expects rings that are
// each simple and that meet each other at most at single points (as after
// the simplefeatures check), so one vertex off the other ring decides.
func nestedHoles(rings orb.Polygon, idx []int) (Text, *orb.Point) {
	if len(rings) < 3 {
		return Text{}, nil
	}
	holes := rings[1:]
	bounds := make([]orb.Bound, len(holes))
	boxes := make([]rtree.Box, len(holes))
	items := make([]rtree.BulkItem, len(holes))
	for i, h := range holes {
		bounds[i] = h.Bound()
		boxes[i] = rtree.Box{MinX: bounds[i].Min[0], MinY: bounds[i].Min[1], MaxX: bounds[i].Max[0], MaxY: bounds[i].Max[1]}
		items[i] = rtree.BulkItem{Box: boxes[i], RecordID: i}
	}
	tree := rtree.BulkLoad(items) // reorders items
	inside := func(i, j int) (orb.Point, bool) {
		for _, p := range holes[i] {
			switch pointInRing(p, holes[j]) {
			case 1:
				return p, true
			case -1:
				return orb.Point{}, false
			}
		}
		return orb.Point{}, false
	}
	within := func(a, b orb.Bound) bool {
		return b.Min[0] <= a.Min[0] && a.Max[0] <= b.Max[0] && b.Min[1] <= a.Min[1] && a.Max[1] <= b.Max[1]
	}
	for i := range holes {
		var cand []int
		_ = tree.RangeSearch(boxes[i], func(j int) error {
			if j != i && within(bounds[i], bounds[j]) {
				cand = append(cand, j)
			}
			return nil
		})
		sort.Ints(cand)
		for _, j := range cand {
			if p, ok := inside(i, j); ok {
				return Textf("%s lies inside %s (nested holes)", "%s位于%s之内（嵌套的洞）", ringName(idx[i+1]), ringName(idx[j+1])), &p
			}
		}
	}
	return Text{}, nil
}

func meetMessage(kind meetKind) Text {
	switch kind {
	case meetCross:
		return Text{Message: "crosses itself", MessageZH: "自相交"}
	case meetOverlap:
		return Text{Message: "runs along itself (two of its edges overlap)", MessageZH: "自身重叠（两条边重合）"}
	}
	return Text{Message: "touches itself (rings must be simple; split it into separate polygons or a hole)", MessageZH: "自接触（环必须是简单环；请拆分为独立的多边形或洞）"}
}
