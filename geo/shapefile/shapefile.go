// Package shapefile reads ESRI Shapefiles: the .shp geometry with its .shx
// index, the .dbf attributes (dBASE III+), the .prj coordinate system and
// the .cpg code page. It is the format Chinese planning data is usually
// delivered in (a GBK .dbf and a CGCS2000 Gauss–Krüger .prj).
//
// Geometry is returned as orb types in the coordinates of the file
// (projected metres stay metres); [Layer.Projection] says which
// [geo.CRS] the .prj names, so the caller places it as geo's GeoJSON
// reader does. Polygons are assembled as the format defines (every
// clockwise ring starts a polygon, every counter-clockwise ring is a hole of
// the clockwise ring that contains it) and returned in RFC 7946 orientation
// (exteriors counter-clockwise, holes clockwise), as geo stores them.
//
// Three kinds of trouble are kept apart, as plancheck reports them:
//   - The files cannot be read as a whole (truncated, a missing or
//     inconsistent .shx, a .dbf with fewer records, an unknown shape type or
//     code page): Read and Open return an *[Error] naming the file and,
//     where there is one, the record.
//   - One record's geometry is unusable (a ring not closed, a NaN
//     coordinate): the feature carries the *[Error] in Feature.Problem and
//     no geometry, so the caller can report it as a finding and go on.
//   - Something the caller should say but that stops nothing (a code page
//     guessed, deleted records skipped, a value that is not of its field's
//     type): a [Warning] of the layer.
//
// Nothing here prints, exits or panics on any input.
package shapefile

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
)

// Sentinels for errors.Is: every *Error wraps exactly one of them.
var (
	// ErrMissing: a file the layer needs (.shx, .dbf) does not exist.
	ErrMissing = errors.New("missing file")
	// ErrTruncated: a file ends before its header or a record says it does.
	ErrTruncated = errors.New("truncated")
	// ErrCorrupt: bytes that cannot be what the format says (a bad file
	// code, record lengths that disagree, part indices out of range).
	ErrCorrupt = errors.New("corrupt")
	// ErrInconsistent: the .shp, .shx and .dbf disagree with each other
	// (record counts, offsets, lengths).
	ErrInconsistent = errors.New("inconsistent")
	// ErrShapeType: a shape type that is not defined or not supported
	// (MultiPatch).
	ErrShapeType = errors.New("unsupported shape type")
	// ErrCodePage: a .cpg naming a code page this reader does not know.
	ErrCodePage = errors.New("unknown code page")
	// ErrGeometry: one record's geometry is unusable. It is only ever
	// found in Feature.Problem, never returned by Read or Next.
	ErrGeometry = errors.New("invalid geometry")
	// ErrTooLarge: a file over Options.MaxBytes; geo's, so a caller
	// tells every reader's size refusal by one error.
	ErrTooLarge = geo.ErrTooLarge
)

// Error is a problem with a file or one of its records. Its message reads
// "shapefile: parcels.shp:record 7: truncated: …", the location the way
// plancheck's messages name places.
type Error struct {
	File   string // the file at fault (.shp, .shx, .dbf or .cpg), as given
	Record int    // 1-based record number; 0 when the file as a whole
	Err    error  // one of the sentinels above
	Detail string
	// DetailZH is Detail in Chinese, built with it from the same
	// arguments; set for geometry problems, which become findings.
	DetailZH string
	// At is a coordinate of the record near the problem, in the file's
	// coordinates, when there is one (geometry problems).
	At *orb.Point
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("shapefile: ")
	b.WriteString(e.File)
	if e.Record > 0 {
		fmt.Fprintf(&b, ":record %d", e.Record)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Text is the message in English (Error) and Chinese, for a record's
// geometry problem reported as a finding.
func (e *Error) Text() geo.Text {
	where := e.File
	if e.Record > 0 {
		where += fmt.Sprintf(":record %d", e.Record)
	}
	kind := e.Err.Error()
	if e.Err == ErrGeometry {
		kind = "几何无效"
	}
	zh := "shapefile：" + where + "：" + kind
	if d := cmp.Or(e.DetailZH, e.Detail); d != "" {
		zh += "：" + d
	}
	return geo.Text{Message: e.Error(), MessageZH: zh}
}

func fileErr(file string, kind error, format string, args ...any) *Error {
	return &Error{File: file, Err: kind, Detail: fmt.Sprintf(format, args...)}
}

func recordErr(file string, record int, kind error, format string, args ...any) *Error {
	return &Error{File: file, Record: record, Err: kind, Detail: fmt.Sprintf(format, args...)}
}

// ShapeType is the shape type of a .shp file or record.
type ShapeType int32

// The shape types of the ESRI Shapefile Technical Description.
const (
	NullShape   ShapeType = 0
	Point       ShapeType = 1
	PolyLine    ShapeType = 3
	Polygon     ShapeType = 5
	MultiPoint  ShapeType = 8
	PointZ      ShapeType = 11
	PolyLineZ   ShapeType = 13
	PolygonZ    ShapeType = 15
	MultiPointZ ShapeType = 18
	PointM      ShapeType = 21
	PolyLineM   ShapeType = 23
	PolygonM    ShapeType = 25
	MultiPointM ShapeType = 28
	MultiPatch  ShapeType = 31
)

var shapeTypeNames = map[ShapeType]string{
	NullShape: "Null", Point: "Point", PolyLine: "PolyLine", Polygon: "Polygon", MultiPoint: "MultiPoint",
	PointZ: "PointZ", PolyLineZ: "PolyLineZ", PolygonZ: "PolygonZ", MultiPointZ: "MultiPointZ",
	PointM: "PointM", PolyLineM: "PolyLineM", PolygonM: "PolygonM", MultiPointM: "MultiPointM",
	MultiPatch: "MultiPatch",
}

func (t ShapeType) String() string {
	if s, ok := shapeTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("ShapeType(%d)", int32(t))
}

// Base returns the 2D type of a Z or M type (PolygonZ → Polygon); other
// types are returned as they are.
func (t ShapeType) Base() ShapeType {
	switch t {
	case PointZ, PointM:
		return Point
	case PolyLineZ, PolyLineM:
		return PolyLine
	case PolygonZ, PolygonM:
		return Polygon
	case MultiPointZ, MultiPointM:
		return MultiPoint
	}
	return t
}

// GeoJSONTypes returns the GeoJSON geometry types features of this shape
// type can have: a single-part polygon is a Polygon, a multi-part one a
// MultiPolygon, and likewise for lines.
func (t ShapeType) GeoJSONTypes() []string {
	switch t.Base() {
	case Point:
		return []string{"Point"}
	case MultiPoint:
		return []string{"MultiPoint"}
	case PolyLine:
		return []string{"LineString", "MultiLineString"}
	case Polygon:
		return []string{"Polygon", "MultiPolygon"}
	}
	return nil
}

// known reports whether t is a shape type this package reads.
func (t ShapeType) known() bool {
	_, ok := shapeTypeNames[t]
	return ok && t != MultiPatch
}

// hasZ reports whether records of t carry a Z range and Z values after
// the points.
func (t ShapeType) hasZ() bool {
	return t == PointZ || t == PolyLineZ || t == PolygonZ || t == MultiPointZ
}

// WarningKind says what a Warning is about, so callers can map it to
// their own findings.
type WarningKind int

const (
	// WarnCodePageDetected: there is no .cpg and the .dbf holds non-ASCII
	// text; the code page was chosen from its bytes (UTF-8 when they are
	// valid UTF-8, else GBK).
	WarnCodePageDetected WarningKind = iota
	// WarnTextUndecodable: text bytes that are not valid in the code page;
	// they were replaced with U+FFFD.
	WarnTextUndecodable
	// WarnDeletedRecords: records marked deleted in the .dbf, skipped
	// with their shapes (as GDAL does).
	WarnDeletedRecords
	// WarnValue: a field value that is not of its field's type (a number
	// field holding text, a bad date); kept as text.
	WarnValue
	// WarnRingOrder: a counter-clockwise ring inside no clockwise ring,
	// against the Shapefile ring order; read as an exterior ring, as
	// GDAL does.
	WarnRingOrder
	// WarnExtraRecords: the .dbf has more records than the .shp; the
	// extra ones are not read.
	WarnExtraRecords
	// WarnTrailingBytes: a file longer than its header says; the rest is
	// not read.
	WarnTrailingBytes
	// WarnDuplicateField: two .dbf fields with the same name; Get finds
	// the first.
	WarnDuplicateField
)

// Warning is something about the layer the caller should say, but that
// does not stop the read. Warnings of one kind (and field) are counted
// together: Record is the first record concerned, Count how many there are.
type Warning struct {
	Kind    WarningKind
	File    string // the file concerned, as given
	Record  int    // first record concerned; 0 for the file as a whole
	Count   int    // records concerned; 0 for the file as a whole
	Message string // says what was done, e.g. "no .cpg: text read as GBK"
	// MessageZH is Message in Chinese, built with it from the same
	// arguments.
	MessageZH string
}

func (w Warning) String() string {
	if w.Record > 0 {
		return fmt.Sprintf("%s:record %d: %s", w.File, w.Record, w.Message)
	}
	return w.File + ": " + w.Message
}

// Text is the warning in English (String) and Chinese.
func (w Warning) Text() geo.Text {
	where := w.File
	if w.Record > 0 {
		where += fmt.Sprintf(":record %d", w.Record)
	}
	return geo.Text{Message: w.String(), MessageZH: where + "：" + cmp.Or(w.MessageZH, w.Message)}
}

// Property is one .dbf field value of a feature. Value is nil (an empty
// field), a string (C, D as "2006-01-02", and every other field type as
// text), an int64 (N without decimals holding an integer), a float64
// (other N and F values) or a bool (L). It is geo's, so a reader's records
// go to geo.BuildLayer as they are.
type Property = geo.Property

// Properties are a feature's field values in .dbf field order.
type Properties []Property

// Get returns the value of the first field called name.
func (p Properties) Get(name string) (any, bool) {
	for _, q := range p {
		if q.Name == name {
			return q.Value, true
		}
	}
	return nil, false
}

// Names returns the field names in .dbf order.
func (p Properties) Names() []string {
	out := make([]string, len(p))
	for i, q := range p {
		out[i] = q.Name
	}
	return out
}

// Map returns the values by name (of duplicate names, the first).
func (p Properties) Map() map[string]any {
	m := make(map[string]any, len(p))
	for i := len(p) - 1; i >= 0; i-- {
		m[p[i].Name] = p[i].Value
	}
	return m
}

// Feature is one record of the layer.
type Feature struct {
	// Record is the 1-based record number in the .shp and .dbf, as in
	// "file.shp:record N". Deleted records are skipped, so numbers may
	// have gaps.
	Record int
	// Geometry is an orb.Point, MultiPoint, LineString, MultiLineString,
	// Polygon or MultiPolygon in the file's coordinates; nil for a Null
	// shape and for a record whose geometry has a Problem.
	Geometry   orb.Geometry
	Properties Properties
	// Problem is set (wrapping ErrGeometry) when the record's geometry is
	// unusable; Geometry is then nil. A Null shape has neither.
	Problem *Error
}
