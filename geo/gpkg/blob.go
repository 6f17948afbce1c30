package gpkg

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/twpayne/go-geom/encoding/wkb"
)

// The GeoPackage geometry blob (GeoPackage 1.3, 2.1.3): "GP", a version
// byte (0 for version 1), a flags byte, the int32 srs_id, an envelope and
// the geometry as ISO WKB. The flags: bit 0 the byte order of srs_id and
// envelope (1 little-endian), bits 1-3 the envelope contents, bit 4 an
// empty geometry, bit 5 a GeoPackage extension geometry type.
const (
	blobHeader   = 8
	flagLittle   = 0x01
	flagEnvelope = 0x0E
	flagEmpty    = 0x10
	flagExtended = 0x20
)

// envelopeBytes is the envelope length per envelope contents indicator:
// none, [minx maxx miny maxy], + [minz maxz], + [minm maxm], + both.
var envelopeBytes = [...]int{0, 32, 48, 48, 64}

// EncodeBlob encodes g as a GeoPackage geometry blob: the standard header
// (version 0, little-endian, the xy envelope of every point of g; no
// envelope and the empty flag for an empty geometry) followed by
// little-endian ISO WKB. It takes what geo.ToGoGeom converts; a nil
// geometry is an error (store NULL instead).
func EncodeBlob(g orb.Geometry, srsID int32) ([]byte, error) {
	if g == nil {
		return nil, errors.New("gpkg: no geometry to encode (store NULL)")
	}
	t, err := geo.ToGoGeom(g)
	if err != nil {
		return nil, fmt.Errorf("gpkg: %w", err)
	}
	body, err := wkb.Marshal(t, binary.LittleEndian)
	if err != nil {
		return nil, fmt.Errorf("gpkg: %w", err)
	}
	var b orb.Bound
	empty := true
	geo.EachPoint(g, func(p orb.Point) {
		if empty {
			b, empty = orb.Bound{Min: p, Max: p}, false
			return
		}
		b = b.Extend(p)
	})
	out := make([]byte, 0, blobHeader+32+len(body))
	out = append(out, 'G', 'P', 0, flagLittle)
	if empty {
		out[3] |= flagEmpty
	} else {
		out[3] |= 1 << 1 // envelope [minx, maxx, miny, maxy]
	}
	out = binary.LittleEndian.AppendUint32(out, uint32(srsID))
	if !empty {
		for _, v := range []float64{b.Min[0], b.Max[0], b.Min[1], b.Max[1]} {
			out = binary.LittleEndian.AppendUint64(out, math.Float64bits(v))
		}
	}
	return append(out, body...), nil
}

// DecodeBlob decodes a GeoPackage geometry blob into the geometry and the
// srs_id of its header. The geometry is as Feature.Geometry describes
// (empty geometries as the empty value of their type, Z and M dropped); a
// blob that cannot be read, WKB holding a GeometryCollection, a curve or
// a NaN or infinite coordinate, or more than geo.DefaultMaxVertices points
// is an error wrapping ErrGeometry.
func DecodeBlob(b []byte) (g orb.Geometry, srsID int32, err error) {
	g, srsID, _, err = decodeBlob(b, geo.DefaultMaxVertices)
	if err != nil {
		return nil, srsID, &Error{Msg: err.Error(), Err: ErrGeometry}
	}
	return g, srsID, nil
}

// decodeBlob is DecodeBlob with a bound on the points; zm says whether the
// WKB carried Z or M values. Its errors are plain details.
func decodeBlob(b []byte, maxPoints int) (g orb.Geometry, srsID int32, zm bool, err error) {
	if len(b) < blobHeader {
		return nil, 0, false, fmt.Errorf("blob of %d bytes is shorter than the 8-byte header", len(b))
	}
	if b[0] != 'G' || b[1] != 'P' {
		return nil, 0, false, fmt.Errorf("blob does not start with \"GP\" (starts % x): not a GeoPackage geometry", b[:min(4, len(b))])
	}
	if b[2] != 0 {
		return nil, 0, false, fmt.Errorf("blob version %d, only 0 (GeoPackage 1) is defined", b[2])
	}
	flags := b[3]
	var order binary.ByteOrder = binary.BigEndian
	if flags&flagLittle != 0 {
		order = binary.LittleEndian
	}
	srsID = int32(order.Uint32(b[4:8]))
	if flags&flagExtended != 0 {
		return nil, srsID, false, errors.New("extended GeoPackage geometry type (a GeoPackage extension) is not supported")
	}
	e := int(flags&flagEnvelope) >> 1
	if e >= len(envelopeBytes) {
		return nil, srsID, false, fmt.Errorf("envelope contents indicator %d is not defined (0-4)", e)
	}
	start := blobHeader + envelopeBytes[e]
	if len(b) < start {
		return nil, srsID, false, fmt.Errorf("blob of %d bytes ends inside its %d-byte envelope", len(b), envelopeBytes[e])
	}
	body := b[start:]
	s := wkbScan{b: body, max: maxPoints}
	kind, empty, err := s.geometry(0, 0)
	if err == nil && s.off != len(body) {
		err = fmt.Errorf("%d bytes after the end of the WKB geometry", len(body)-s.off)
	}
	if err != nil {
		return nil, srsID, s.zm, fmt.Errorf("WKB: %w", err)
	}
	if empty {
		return emptyOf(kind), srsID, s.zm, nil
	}
	if flags&flagEmpty != 0 && s.points > 0 {
		return nil, srsID, s.zm, fmt.Errorf("the header flags an empty geometry but the WKB holds %d points", s.points)
	}
	if s.rewrite != nil {
		// Type codes with the Z/M high bits (OGC 99-402, as some older
		// writers use): go-geom reads ISO codes only.
		body = bytes.Clone(body)
		for _, r := range s.rewrite {
			r.order.PutUint32(body[r.off:], r.code)
		}
	}
	t, err := wkb.Unmarshal(body)
	if err != nil {
		return nil, srsID, s.zm, fmt.Errorf("WKB: %w", err)
	}
	g, err = geo.FromGoGeom(t)
	if err != nil {
		return nil, srsID, s.zm, err
	}
	return g, srsID, s.zm, nil
}

// WKB geometry type codes (ISO 13249-3 / OGC 06-103r4).
const (
	wkbPoint = 1 + iota
	wkbLineString
	wkbPolygon
	wkbMultiPoint
	wkbMultiLineString
	wkbMultiPolygon
	wkbGeometryCollection
)

var wkbTypeNames = [...]string{"", "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString",
	"MultiPolygon", "GeometryCollection", "CircularString", "CompoundCurve", "CurvePolygon",
	"MultiCurve", "MultiSurface", "Curve", "Surface", "PolyhedralSurface", "TIN", "Triangle"}

// wkbScan walks WKB before go-geom decodes it: go-geom allocates what
// counts in the blob claim before reading, so a corrupt count would
// exhaust memory. The walk checks every count against the bytes left,
// the points against the limit, every x and y for NaN and infinity, and
// the nesting (a multi-geometry holds only its part type, of its
// dimension); it refuses GeometryCollections and curves. It reads no more
// than two levels deep.
type wkbScan struct {
	b       []byte
	off     int
	points  int
	max     int
	zm      bool
	rewrite []typeRewrite
}

type typeRewrite struct {
	off   int
	order binary.ByteOrder
	code  uint32
}

func (s *wkbScan) short(what string, n uint64) error {
	return fmt.Errorf("ends inside %s (%d bytes needed at offset %d, %d left)", what, n, s.off, len(s.b)-s.off)
}

// geometry walks one geometry. parent is the multi-geometry type holding
// it (0 at the top) and parentDim that one's dimension code (0 XY, 1 XYZ,
// 2 XYM, 3 XYZM). It returns the geometry's base type and whether it is
// empty.
func (s *wkbScan) geometry(parent, parentDim int) (kind int, empty bool, err error) {
	if len(s.b)-s.off < 5 {
		return 0, false, s.short("a geometry header", 5)
	}
	var order binary.ByteOrder
	switch s.b[s.off] {
	case 0:
		order = binary.BigEndian
	case 1:
		order = binary.LittleEndian
	default:
		return 0, false, fmt.Errorf("byte order %d at offset %d (0 or 1)", s.b[s.off], s.off)
	}
	codeOff := s.off + 1
	code := order.Uint32(s.b[codeOff:])
	s.off += 5
	var dim int
	base := code
	if hi := code & 0xE0000000; hi != 0 {
		if hi&0x20000000 != 0 {
			return 0, false, fmt.Errorf("type code %#x has the EWKB SRID flag (PostGIS EWKB, not GeoPackage WKB)", code)
		}
		base = code & 0x0FFFFFFF
		if base >= 1000 {
			return 0, false, fmt.Errorf("type code %#x mixes Z/M flags and ISO dimensions", code)
		}
		if code&0x80000000 != 0 {
			dim |= 1
		}
		if code&0x40000000 != 0 {
			dim |= 2
		}
		s.rewrite = append(s.rewrite, typeRewrite{off: codeOff, order: order, code: base + 1000*uint32(dim)})
	} else {
		dim = int(code / 1000)
		base = code % 1000
		if dim > 3 {
			return 0, false, fmt.Errorf("unknown WKB type code %d", code)
		}
	}
	if base == 0 || base >= uint32(len(wkbTypeNames)) {
		return 0, false, fmt.Errorf("unknown WKB type code %d", code)
	}
	kind = int(base)
	switch {
	case kind == wkbGeometryCollection:
		return 0, false, errors.New("GeometryCollection: plan features are points, lines or polygons")
	case kind > wkbGeometryCollection:
		return 0, false, fmt.Errorf("%s: curved and surface types are not supported", wkbTypeNames[kind])
	}
	if parent != 0 {
		if kind != parent-3 {
			return 0, false, fmt.Errorf("%s inside a %s", wkbTypeNames[kind], wkbTypeNames[parent])
		}
		if dim != parentDim {
			return 0, false, fmt.Errorf("%s of another dimension inside a %s", wkbTypeNames[kind], wkbTypeNames[parent])
		}
	}
	if dim != 0 {
		s.zm = true
	}
	stride := 2 + dim&1 + dim>>1
	switch kind {
	case wkbPoint:
		if len(s.b)-s.off < 8*stride {
			return 0, false, s.short("a Point", uint64(8*stride))
		}
		x, y := s.float(order, 0), s.float(order, 8)
		if math.IsNaN(x) && math.IsNaN(y) {
			// POINT EMPTY (GeoPackage 1.3, requirement 152).
			if parent != 0 {
				return 0, false, errors.New("an empty point inside a MultiPoint")
			}
			s.off += 8 * stride
			return kind, true, nil
		}
		if err := s.count(1); err != nil {
			return 0, false, err
		}
		if err := s.coords(order, 1, stride); err != nil {
			return 0, false, err
		}
		return kind, false, nil
	case wkbLineString:
		n, err := s.uint32(order, "a LineString's point count")
		if err != nil {
			return 0, false, err
		}
		if err := s.points1(order, n, stride, "a LineString"); err != nil {
			return 0, false, err
		}
		return kind, n == 0, nil
	case wkbPolygon:
		rings, err := s.uint32(order, "a Polygon's ring count")
		if err != nil {
			return 0, false, err
		}
		if uint64(rings)*4 > uint64(len(s.b)-s.off) {
			return 0, false, s.short(fmt.Sprintf("a Polygon of %d rings", rings), uint64(rings)*4)
		}
		for range rings {
			n, err := s.uint32(order, "a ring's point count")
			if err != nil {
				return 0, false, err
			}
			if err := s.points1(order, n, stride, "a ring"); err != nil {
				return 0, false, err
			}
		}
		return kind, rings == 0, nil
	}
	// A multi-geometry: each part is at least a 5-byte header and a
	// 4-byte count or 16 bytes of coordinates.
	parts, err := s.uint32(order, "a "+wkbTypeNames[kind]+"'s part count")
	if err != nil {
		return 0, false, err
	}
	if uint64(parts)*9 > uint64(len(s.b)-s.off) {
		return 0, false, s.short(fmt.Sprintf("a %s of %d parts", wkbTypeNames[kind], parts), uint64(parts)*9)
	}
	for range parts {
		if _, _, err := s.geometry(kind, dim); err != nil {
			return 0, false, err
		}
	}
	return kind, parts == 0, nil
}

func (s *wkbScan) float(order binary.ByteOrder, at int) float64 {
	return math.Float64frombits(order.Uint64(s.b[s.off+at:]))
}

func (s *wkbScan) uint32(order binary.ByteOrder, what string) (uint32, error) {
	if len(s.b)-s.off < 4 {
		return 0, s.short(what, 4)
	}
	n := order.Uint32(s.b[s.off:])
	s.off += 4
	return n, nil
}

// count adds n points, refusing more than the limit.
func (s *wkbScan) count(n uint32) error {
	if uint64(s.points)+uint64(n) > uint64(s.max) {
		return fmt.Errorf("more than %d points", s.max)
	}
	s.points += int(n)
	return nil
}

// points1 walks a point list of n points.
func (s *wkbScan) points1(order binary.ByteOrder, n uint32, stride int, what string) error {
	need := uint64(n) * uint64(8*stride)
	if need > uint64(len(s.b)-s.off) {
		return s.short(fmt.Sprintf("%s of %d points", what, n), need)
	}
	if err := s.count(n); err != nil {
		return err
	}
	return s.coords(order, int(n), stride)
}

// coords checks n points' x and y for NaN and infinity and steps over
// them.
func (s *wkbScan) coords(order binary.ByteOrder, n, stride int) error {
	for i := range n {
		x, y := s.float(order, 0), s.float(order, 8)
		if math.IsNaN(x) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) {
			return fmt.Errorf("coordinate %v %v is not a finite number (point %d of %d, offset %d)", x, y, i+1, n, s.off)
		}
		s.off += 8 * stride
	}
	return nil
}

// emptyOf is the empty orb geometry of a WKB type. orb has no empty
// Point: POINT EMPTY becomes an empty MultiPoint.
func emptyOf(kind int) orb.Geometry {
	switch kind {
	case wkbLineString:
		return orb.LineString{}
	case wkbPolygon:
		return orb.Polygon{}
	case wkbMultiLineString:
		return orb.MultiLineString{}
	case wkbMultiPolygon:
		return orb.MultiPolygon{}
	}
	return orb.MultiPoint{}
}
