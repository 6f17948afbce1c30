// Package gpkg reads OGC GeoPackage feature tables: the SQLite file QGIS,
// ArcGIS and GDAL write, in which planning layers are delivered beside
// Shapefiles.
//
// [Read] returns one feature table: every row's primary key (fid), its
// geometry as an orb value in the coordinates of the file (x = longitude
// or easting, y = latitude or northing, nothing reversed, no ring
// reoriented) and its attributes in column order, with the table's
// spatial reference system ([Layer.EPSG] when it is an EPSG code). The
// file is opened read-only through modernc.org/sqlite (pure Go, no cgo).
//
// Three kinds of trouble are kept apart, as plancheck reports them:
//   - The file cannot be read as a whole (not a SQLite database, not a
//     GeoPackage, truncated, malformed pages, a table that does not exist,
//     several feature tables and none named): Read returns an *[Error]
//     naming the file and, where there is one, the table. Nothing partial
//     is returned.
//   - One row's geometry blob is unusable (a bad header, WKB that ends
//     early, a NaN coordinate, a GeometryCollection, too many points): the
//     feature carries the *[Error] in Feature.Problem and no geometry, and
//     the other rows are read.
//   - Something the caller should say but that stops nothing (a blob whose
//     srs_id differs from the table's, Z or M values dropped, text that is
//     not UTF-8): a line in Layer.Warnings.
//
// Attribute values are nil (NULL), string (TEXT, and DATE and DATETIME as
// the text stored, which GeoPackage requires to be ISO 8601:
// "2006-01-02" and "2006-01-02T15:04:05.000Z"), int64 (INTEGER and its
// narrower kinds), float64 (REAL, FLOAT, DOUBLE), bool (a BOOLEAN column's
// 0 and 1) and, for BLOB values, lowercase hexadecimal text.
//
// Nothing here prints, exits or panics on any input.
package gpkg

import (
	"cmp"
	"errors"
	"fmt"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
)

// Sentinels for errors.Is: every *Error wraps one of them (or the
// context's error when reading was cancelled).
var (
	// ErrNotGeoPackage: the file is not a SQLite database, or a SQLite
	// database without the GeoPackage application_id or gpkg_contents.
	ErrNotGeoPackage = errors.New("not a GeoPackage")
	// ErrCorrupt: a GeoPackage that cannot be read as the format says
	// (truncated, malformed pages, a feature table without its geometry
	// column row or primary key, an srs_id with no definition).
	ErrCorrupt = errors.New("corrupt GeoPackage")
	// ErrNoTable: the table asked for is not a feature table of the
	// file, or the file has none.
	ErrNoTable = errors.New("no such feature table")
	// ErrAmbiguous: no table was named and the file has several feature
	// tables.
	ErrAmbiguous = errors.New("several feature tables")
	// ErrUnreadable: the file could not be opened or read for a reason
	// that is not its content (permissions, a lock, an I/O error).
	ErrUnreadable = errors.New("cannot read")
	// ErrGeometry: one row's geometry blob is unusable. It is only found
	// in Feature.Problem and from DecodeBlob, never returned by Read.
	ErrGeometry = errors.New("invalid geometry")
	// ErrTooLarge: a file over Options.MaxBytes; geo's, so a caller
	// tells every reader's size refusal by one error.
	ErrTooLarge = geo.ErrTooLarge
)

// Options controls Read.
type Options struct {
	// Table is the feature table to read; "" means the only feature
	// table of the file (an error lists them when there are several or
	// none).
	Table string
	// MaxVertices bounds the points of one feature; a feature with more
	// is a Problem. 0 means geo.DefaultMaxVertices.
	MaxVertices int
	// MaxBytes bounds the file size; a larger file is refused with
	// ErrTooLarge. 0 means geo.DefaultMaxBytes.
	MaxBytes int64
}

// Property is one attribute of a feature. Value is nil, string, int64,
// float64 or bool; see the package documentation for how column types map.
// It is geo's, so a reader's records go to geo.BuildLayer as they are.
type Property = geo.Property

// Feature is one row of a feature table.
type Feature struct {
	// FID is the table's INTEGER PRIMARY KEY (usually fid), for
	// "file.gpkg: table T: fid N" messages.
	FID int64
	// Geometry is a Point, MultiPoint, LineString, MultiLineString,
	// Polygon or MultiPolygon. An empty geometry (the blob's empty flag or
	// WKB with no points) is the empty value of its type, e.g.
	// orb.MultiPolygon{}; POINT EMPTY, which orb cannot hold, is
	// orb.MultiPoint{}. A NULL geometry is nil, as is the geometry of a
	// feature with a Problem. Z and M values are dropped.
	Geometry orb.Geometry
	// Properties are the attributes in column order, the geometry and
	// primary key columns left out.
	Properties []Property
	// Problem says why the geometry blob could not be read; it is an
	// *Error wrapping ErrGeometry.
	Problem error
}

// Layer is one feature table.
type Layer struct {
	File           string // as given to Read
	Table          string // as gpkg_contents spells it
	GeometryColumn string
	// GeometryType is gpkg_geometry_columns.geometry_type_name, e.g.
	// "MULTIPOLYGON" or "GEOMETRY". Features are not checked against it:
	// a Polygon in a MULTIPOLYGON column is returned as a Polygon, for
	// the caller's type checks.
	GeometryType string
	SRSID        int32 // the geometry column's srs_id
	// EPSG is the EPSG code of the srs_id (gpkg_spatial_ref_sys with
	// organization EPSG, in any case); 0 when the SRS is undefined (srs_id
	// 0 or -1) or defined by another organisation.
	EPSG          int
	SRSName       string
	SRSDefinition string   // the WKT of gpkg_spatial_ref_sys.definition
	Columns       []string // attribute columns in table order, as in Feature.Properties
	Features      []Feature
	// Warnings say, in English and Chinese, what reading the table had to
	// decide.
	Warnings []geo.Text
}

// Error is a problem with a file, a table or one row's geometry. Its
// message reads "gpkg: zoning.gpkg: table 用地: fid 12: invalid geometry:
// WKB ends after 13 of 45 bytes", the place first, as plancheck's
// messages name places.
type Error struct {
	File  string // as given
	Table string // "" when the file as a whole is at fault
	FID   int64  // the row; 0 when not about one row (a row whose fid is 0 is not named)
	Msg   string // what is wrong, in detail
	// MsgZH is Msg in Chinese where it was built with it; a WKB
	// decoder's detail is quoted as it is.
	MsgZH string
	Err   error // one of the sentinels, or the context's error
}

func (e *Error) Error() string { return e.message(english) }

func (e *Error) Unwrap() error { return e.Err }

// Text is the message in English (Error) and Chinese, for a row's
// geometry problem reported as a finding.
func (e *Error) Text() geo.Text {
	return geo.Text{Message: e.message(english), MessageZH: e.message(chinese)}
}

// wording is what the English and the Chinese message differ in; the
// places and the detail are written the same way in both.
type wording struct {
	sep, table, geometry string
	zh                   bool
}

var (
	english = wording{sep: ": ", table: "table ", geometry: ErrGeometry.Error()}
	chinese = wording{sep: "：", table: "表 ", geometry: "几何无效", zh: true}
)

func (e *Error) message(w wording) string {
	var b strings.Builder
	b.WriteString("gpkg" + w.sep)
	if e.File != "" {
		b.WriteString(e.File + w.sep)
	}
	if e.Table != "" {
		b.WriteString(w.table + e.Table + w.sep)
	}
	if e.FID != 0 {
		fmt.Fprintf(&b, "fid %d%s", e.FID, w.sep)
	}
	msg := e.Msg
	if w.zh {
		msg = cmp.Or(e.MsgZH, e.Msg)
	}
	if e.Err != nil {
		if e.Err == ErrGeometry {
			b.WriteString(w.geometry)
		} else {
			b.WriteString(e.Err.Error())
		}
		if msg != "" {
			b.WriteString(w.sep)
		}
	}
	b.WriteString(msg)
	return b.String()
}
