package postgis

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/twpayne/go-geom/encoding/ewkb"
)

// EWKB is PostGIS's binary geometry (the binary form of the geometry
// type): WKB whose type word carries Z, M and SRID flags, the SRID after
// it. go-geom decodes it; before that, scanEWKB walks the bytes once to
// check what go-geom trusts (element counts it would allocate for before
// reading them), to count the points against the limit without building
// anything, to name the types orb has no value for, and to find NaN and
// infinite coordinates.

const (
	ewkbZ    = 0x80000000
	ewkbM    = 0x40000000
	ewkbSRID = 0x20000000
)

// WKB type codes (PostGIS's, ISO 13249-3 numbering).
const (
	wkbPoint              = 1
	wkbLineString         = 2
	wkbPolygon            = 3
	wkbMultiPoint         = 4
	wkbMultiLineString    = 5
	wkbMultiPolygon       = 6
	wkbGeometryCollection = 7
)

var wkbTypeNames = map[uint32]string{
	1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
	6: "MultiPolygon", 7: "GeometryCollection", 8: "CircularString", 9: "CompoundCurve",
	10: "CurvePolygon", 11: "MultiCurve", 12: "MultiSurface", 13: "Curve", 14: "Surface",
	15: "PolyhedralSurface", 16: "TIN", 17: "Triangle",
}

// ewkbScan is one pass over an EWKB value.
type ewkbScan struct {
	b      []byte
	off    int
	order  binary.ByteOrder
	max    int // points allowed
	points int
	srid   int  // the top-level SRID (0 when the flag is not set)
	sridOK bool // the top-level header was read
	last   orb.Point
	seen   bool // last holds a finite point
}

// decodeEWKB turns one geometry value into an orb geometry, and gives the
// SRID its header names (ok false when not even that could be read). An
// error says why the geometry is unusable.
func decodeEWKB(b []byte, maxPoints int) (g orb.Geometry, srid int, ok bool, err error) {
	s := &ewkbScan{b: b, max: maxPoints}
	if err := s.geometry(0, 0); err != nil {
		return nil, s.srid, s.sridOK, err
	}
	if s.off != len(b) {
		return nil, s.srid, true, fmt.Errorf("%d bytes after the geometry", len(b)-s.off)
	}
	t, err := ewkb.Unmarshal(b)
	if err != nil {
		return nil, s.srid, true, err
	}
	g, err = geo.FromGoGeom(t)
	return g, s.srid, true, err
}

var errTruncated = errors.New("truncated EWKB")

func (s *ewkbScan) need(n uint64) error {
	if n > uint64(len(s.b)-s.off) {
		return errTruncated
	}
	return nil
}

func (s *ewkbScan) uint32() (uint32, error) {
	if err := s.need(4); err != nil {
		return 0, err
	}
	v := s.order.Uint32(s.b[s.off:])
	s.off += 4
	return v, nil
}

// geometry scans one geometry at nesting depth depth; want is the type an
// element of a multi-geometry must have (0 at the top).
func (s *ewkbScan) geometry(depth int, want uint32) error {
	if err := s.need(5); err != nil {
		return err
	}
	switch s.b[s.off] {
	case 0:
		s.order = binary.BigEndian
	case 1:
		s.order = binary.LittleEndian
	default:
		return fmt.Errorf("bad byte order %d", s.b[s.off])
	}
	s.off++
	t, _ := s.uint32()
	stride := 2
	if t&ewkbZ != 0 {
		stride++
	}
	if t&ewkbM != 0 {
		stride++
	}
	if t&ewkbSRID != 0 {
		srid, err := s.uint32()
		if err != nil {
			return err
		}
		if depth == 0 {
			s.srid = int(int32(srid))
		}
	}
	if depth == 0 {
		s.sridOK = true
	}
	base := t &^ (ewkbZ | ewkbM | ewkbSRID)
	name, known := wkbTypeNames[base]
	switch {
	case !known:
		return fmt.Errorf("unknown geometry type %d", base)
	case base == wkbGeometryCollection:
		return errors.New("a GeometryCollection is not read (ST_CollectionExtract picks one type)")
	case base > wkbGeometryCollection:
		return fmt.Errorf("a %s is not read (ST_CurveToLine or ST_Dump turns it into lines or polygons)", name)
	case want != 0 && base != want:
		return fmt.Errorf("a %s inside a %s", name, wkbTypeNames[want+3])
	}
	switch base {
	case wkbPoint:
		return s.coords(1, stride, true)
	case wkbLineString:
		n, err := s.uint32()
		if err != nil {
			return err
		}
		return s.coords(n, stride, false)
	case wkbPolygon:
		n, err := s.uint32()
		if err != nil {
			return err
		}
		if err := s.need(uint64(n) * 4); err != nil {
			return err
		}
		for range n {
			m, err := s.uint32()
			if err != nil {
				return err
			}
			if err := s.coords(m, stride, false); err != nil {
				return err
			}
		}
		return nil
	}
	// A multi-geometry: n elements of the single type, each at least a
	// header and a count (or a point's coordinates).
	n, err := s.uint32()
	if err != nil {
		return err
	}
	if err := s.need(uint64(n) * 9); err != nil {
		return err
	}
	for range n {
		if err := s.geometry(depth+1, base-3); err != nil {
			return err
		}
	}
	return nil
}

// coords scans n positions of stride values. A point whose X and Y are
// both NaN is PostGIS's POINT EMPTY.
func (s *ewkbScan) coords(n uint32, stride int, point bool) error {
	if err := s.need(uint64(n) * uint64(stride) * 8); err != nil {
		return err
	}
	if s.points+int(n) > s.max || s.points+int(n) < s.points {
		return fmt.Errorf("more than %d points", s.max)
	}
	for i := range int(n) {
		x := math.Float64frombits(s.order.Uint64(s.b[s.off:]))
		y := math.Float64frombits(s.order.Uint64(s.b[s.off+8:]))
		s.off += 8 * stride
		s.points++
		if point && math.IsNaN(x) && math.IsNaN(y) {
			return errors.New("an empty point (POINT EMPTY), which orb cannot hold")
		}
		for _, v := range []float64{x, y} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				what := "NaN"
				if math.IsInf(v, 0) {
					what = "infinite"
				}
				msg := fmt.Sprintf("%s coordinate (point %d of %d)", what, i+1, n)
				if s.seen {
					msg += fmt.Sprintf(" at or near %v %v", s.last[0], s.last[1])
				}
				return errors.New(msg)
			}
		}
		s.last, s.seen = orb.Point{x, y}, true
	}
	return nil
}
