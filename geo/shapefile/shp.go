package shapefile

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/paulmach/orb"
)

// Layout of the .shp and .shx files (ESRI Shapefile Technical
// Description, July 1998). Big-endian for the file code, lengths and
// record headers; little-endian for everything else. Lengths in the
// headers count 16-bit words.
const (
	headerLen       = 100
	fileCode        = 9994
	fileVersion     = 1000
	recordHeaderLen = 8
	shxEntryLen     = 8
)

// header is the 100-byte header shared by .shp and .shx.
type header struct {
	length    int64 // file length in bytes, from the header
	shapeType ShapeType
	bound     orb.Bound
}

func parseHeader(file string, b []byte) (header, error) {
	if len(b) < headerLen {
		return header{}, fileErr(file, ErrTruncated, "%d bytes, shorter than the 100-byte header", len(b))
	}
	if code := int32(binary.BigEndian.Uint32(b[0:])); code != fileCode {
		return header{}, fileErr(file, ErrCorrupt, "file code %d, not 9994: not a shapefile", code)
	}
	if v := int32(binary.LittleEndian.Uint32(b[28:])); v != fileVersion {
		return header{}, fileErr(file, ErrCorrupt, "version %d, not 1000", v)
	}
	h := header{
		length:    int64(binary.BigEndian.Uint32(b[24:])) * 2,
		shapeType: ShapeType(int32(binary.LittleEndian.Uint32(b[32:]))),
	}
	if !h.shapeType.known() {
		return header{}, fileErr(file, ErrShapeType, "%s in the header", h.shapeType)
	}
	h.bound = orb.Bound{
		Min: orb.Point{f64(b[36:]), f64(b[44:])},
		Max: orb.Point{f64(b[52:]), f64(b[60:])},
	}
	return h, nil
}

func f64(b []byte) float64 { return math.Float64frombits(binary.LittleEndian.Uint64(b)) }

func i32(b []byte) int { return int(int32(binary.LittleEndian.Uint32(b))) }

// shape is what decodeShape makes of one record's content.
type shape struct {
	geom    orb.Geometry // nil for a Null shape or a problem
	problem *Error
	// ringOrder is set when a counter-clockwise ring lies in no clockwise
	// ring and was read as an exterior ring.
	ringOrder bool
}

// decodeShape decodes the content of one .shp record (after the 8-byte
// record header) of a file of type fileType. An error means the bytes are
// not a record of that type; a problem (in the shape) means they are, but
// the geometry is unusable. maxVertices bounds the points of one record.
func decodeShape(file string, record int, fileType ShapeType, c []byte, maxVertices int) (shape, error) {
	if len(c) < 4 {
		return shape{}, recordErr(file, record, ErrCorrupt, "content of %d bytes has no shape type", len(c))
	}
	t := ShapeType(i32(c))
	if t == NullShape {
		return shape{}, nil
	}
	if !t.known() {
		return shape{}, recordErr(file, record, ErrShapeType, "%s", t)
	}
	if t != fileType {
		return shape{}, recordErr(file, record, ErrInconsistent, "a %s record in a %s file", t, fileType)
	}
	// problem says what is wrong in English (en) and Chinese (zh), from
	// the same arguments.
	problem := func(at *orb.Point, en, zh string, args ...any) (shape, error) {
		e := recordErr(file, record, ErrGeometry, en, args...)
		e.DetailZH = fmt.Sprintf(zh, args...)
		if at != nil {
			p := *at
			e.At = &p
		}
		return shape{problem: e}, nil
	}
	switch t.Base() {
	case Point:
		need := 4 + 16
		if t.hasZ() {
			need += 8
		}
		if len(c) < need {
			return shape{}, recordErr(file, record, ErrCorrupt, "a %s needs %d bytes of content, the record has %d", t, need, len(c))
		}
		p := orb.Point{f64(c[4:]), f64(c[12:])}
		if !finite(p) {
			return problem(nil, "coordinate is %v %v (not a finite number)", "坐标为 %v %v（不是有限数）", p[0], p[1])
		}
		return shape{geom: p}, nil

	case MultiPoint:
		// Box (32), NumPoints (4), Points.
		if len(c) < 40 {
			return shape{}, recordErr(file, record, ErrCorrupt, "a %s needs at least 40 bytes of content, the record has %d", t, len(c))
		}
		n := i32(c[36:])
		if err := countFits(file, record, t, "points", n, 16, len(c)-40); err != nil {
			return shape{}, err
		}
		if z := zNeed(t, n); 40+16*n+z > len(c) {
			return shape{}, recordErr(file, record, ErrCorrupt, "%d points with Z need %d bytes of content, the record has %d", n, 40+16*n+z, len(c))
		}
		if n == 0 {
			return problem(nil, "empty %s (no points)", "空的 %s（没有点）", t)
		}
		if n > maxVertices {
			return problem(nil, "%d points, more than the limit of %d", "%d 个点，超过上限 %d", n, maxVertices)
		}
		mp := make(orb.MultiPoint, n)
		for i := range mp {
			o := 40 + 16*i
			mp[i] = orb.Point{f64(c[o:]), f64(c[o+8:])}
			if !finite(mp[i]) {
				return problem(nil, "point %d is %v %v (not a finite number)", "第 %d 个点为 %v %v（不是有限数）", i+1, mp[i][0], mp[i][1])
			}
		}
		return shape{geom: mp}, nil
	}

	// PolyLine and Polygon: Box (32), NumParts (4), NumPoints (4),
	// Parts (4 each), Points (16 each), then Z and M.
	if len(c) < 44 {
		return shape{}, recordErr(file, record, ErrCorrupt, "a %s needs at least 44 bytes of content, the record has %d", t, len(c))
	}
	np, n := i32(c[36:]), i32(c[40:])
	if err := countFits(file, record, t, "parts", np, 4, len(c)-44); err != nil {
		return shape{}, err
	}
	if err := countFits(file, record, t, "points", n, 16, len(c)-44-4*np); err != nil {
		return shape{}, err
	}
	if z := zNeed(t, n); 44+4*np+16*n+z > len(c) {
		return shape{}, recordErr(file, record, ErrCorrupt, "%d parts and %d points with Z need %d bytes of content, the record has %d", np, n, 44+4*np+16*n+z, len(c))
	}
	parts := make([]int, np+1)
	for i := 0; i < np; i++ {
		parts[i] = i32(c[44+4*i:])
	}
	parts[np] = n
	if np > 0 && parts[0] != 0 {
		return shape{}, recordErr(file, record, ErrCorrupt, "first part starts at point %d, not 0", parts[0])
	}
	for i := 1; i <= np; i++ {
		if parts[i] < parts[i-1] || parts[i] > n {
			return shape{}, recordErr(file, record, ErrCorrupt, "part %d starts at point %d, out of order or past the %d points", i+1, parts[i], n)
		}
	}
	if np == 0 || n == 0 {
		return problem(nil, "empty %s (%d parts, %d points)", "空的 %s（%d 个部分，%d 个点）", t, np, n)
	}
	if n > maxVertices {
		return problem(nil, "%d points, more than the limit of %d", "%d 个点，超过上限 %d", n, maxVertices)
	}
	// One backing array for all points; parts are slices of it.
	pts := make([]orb.Point, n)
	base := 44 + 4*np
	for i := range pts {
		o := base + 16*i
		pts[i] = orb.Point{f64(c[o:]), f64(c[o+8:])}
		if !finite(pts[i]) {
			var at *orb.Point
			if i > 0 && finite(pts[i-1]) {
				at = &pts[i-1]
			}
			return problem(at, "point %d is %v %v (not a finite number)", "第 %d 个点为 %v %v（不是有限数）", i+1, pts[i][0], pts[i][1])
		}
	}
	for i := 0; i < np; i++ {
		if parts[i+1] == parts[i] {
			return problem(nil, "part %d has no points", "第 %d 部分没有点", i+1)
		}
	}
	if t.Base() == PolyLine {
		lines := make(orb.MultiLineString, np)
		for i := range lines {
			lines[i] = orb.LineString(pts[parts[i]:parts[i+1]:parts[i+1]])
			if len(lines[i]) < 2 {
				return problem(&lines[i][0], "part %d has %d point; a line needs at least 2", "第 %d 部分有 %d 个点，线至少需要 2 个", i+1, len(lines[i]))
			}
		}
		if np == 1 {
			return shape{geom: lines[0]}, nil
		}
		return shape{geom: lines}, nil
	}
	rings := make([]orb.Ring, np)
	for i := range rings {
		r := orb.Ring(pts[parts[i]:parts[i+1]:parts[i+1]])
		if len(r) < 4 {
			return problem(&r[0], "ring %d has %d points; a ring needs at least 4", "第 %d 个环有 %d 个点，环至少需要 4 个", i+1, len(r))
		}
		if r[0] != r[len(r)-1] {
			return problem(&r[0], "ring %d is not closed (first point %v %v, last %v %v)", "第 %d 个环未闭合（首点 %v %v，末点 %v %v）", i+1, r[0][0], r[0][1], r[len(r)-1][0], r[len(r)-1][1])
		}
		// Finite coordinates far apart (1e200 and -1e200) still overflow
		// the shoelace products: such a ring has no orientation to read
		// its role from, and no real plan is drawn at that scale.
		if a := signedArea(r); math.IsInf(a, 0) || math.IsNaN(a) {
			return problem(&r[0], "ring %d's area overflows a float64 (coordinates too far apart to be a plan's)", "第 %d 个环的面积超出 float64 范围（坐标相距太远，不像规划数据）", i+1)
		}
		rings[i] = r
	}
	g, orphan := assemble(rings)
	return shape{geom: g, ringOrder: orphan}, nil
}

// countFits checks a count read from a record against the bytes left for
// it, so that no hostile count makes us allocate more than the file holds.
func countFits(file string, record int, t ShapeType, what string, n, size, left int) error {
	if n < 0 || left < 0 || n > left/size {
		return recordErr(file, record, ErrCorrupt, "%s record says %d %s, more than its content holds", t, n, what)
	}
	return nil
}

// zNeed is the size of the Z range and Z values of n points, which Z
// types must have (the M part after them is optional in the format).
func zNeed(t ShapeType, n int) int {
	if !t.hasZ() {
		return 0
	}
	return 16 + 8*n
}

func finite(p orb.Point) bool {
	return !math.IsNaN(p[0]) && !math.IsInf(p[0], 0) && !math.IsNaN(p[1]) && !math.IsInf(p[1], 0)
}
