// Package postgis reads a plan layer from a PostGIS table or query.
//
// The source is a postgresql:// URL without a password: a manifest is
// committed and shared, so the password comes from the PGPASSWORD
// environment variable or ~/.pgpass, as for psql (pgx honours PGHOST,
// PGPORT, PGUSER, PGDATABASE, PGSSLMODE, PGCONNECT_TIMEOUT, PGSERVICE and
// the rest the same way). A URL that holds one is refused.
//
// Geometry is read as PostGIS stores it (EWKB, the binary form of the
// geometry type) and returned as orb types in the coordinates of the
// database, with the SRID and, where spatial_ref_sys says it is one, the
// EPSG code. Nothing is repaired: rings keep their order and orientation.
//
// Three kinds of trouble are kept apart, as plancheck reports them:
//   - The source cannot be read as a whole (no connection, no such table,
//     a query that fails, no single geometry column, rows of different
//     SRIDs): Read returns an *[Error] naming the source and no layer.
//   - One row's geometry is unusable (NaN or infinite coordinates, more
//     points than allowed, a type orb has no value for, bad EWKB): the
//     feature carries the *[Error] in Feature.Problem and no geometry.
//   - Nothing else: values of every column type are returned, as text
//     when no Go type fits.
//
// Everything is read in one read-only transaction, so a query cannot
// write and the rows, columns and SRIDs are one snapshot. Nothing here
// prints, exits or panics on any input.
package postgis

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
)

// Options says what to read from the database.
type Options struct {
	// Table is a table, view or materialized view, optionally
	// schema-qualified ("plans.zoning"). Names are taken as written
	// (quoted), so "Zoning" is not "zoning". Exactly one of Table and
	// Query is set.
	Table string
	// Query is one SELECT statement whose result is the layer, read in
	// its own order.
	Query string
	// GeometryColumn picks the geometry column when the table or query
	// has several; empty means the only one.
	GeometryColumn string
	// MaxVertices bounds the points of one feature; a feature with more is
	// a Problem. 0 means geo.DefaultMaxVertices.
	MaxVertices int
}

// Property is one column value of a row. Value is nil (NULL), string,
// int64 (smallint, integer, bigint), float64 (real, double precision, and
// numeric when the float64 has the same decimal value), bool, or the
// column's text form as PostgreSQL prints it: dates as "2006-01-02",
// timestamps in UTC, a numeric float64 cannot hold, NaN and infinite
// floats ("NaN", "Infinity"), json, arrays and every other type.
// It is geo's, so a reader's records go to geo.BuildLayer as they are.
type Property = geo.Property

// Feature is one row.
type Feature struct {
	// Row is the 1-based row number in the order read: the primary key's
	// order for a table that has one, else the physical order (tableoid,
	// ctid); a view's or query's own order.
	Row int
	// Geometry is nil for NULL or when Problem is set; an empty geometry
	// is the empty value of its type (orb.MultiPolygon{}).
	Geometry orb.Geometry
	// Properties holds the other columns in result order; the geometry
	// column (and any other geometry-typed column) is left out.
	Properties []Property
	// Problem says why the geometry could not be read (an *Error wrapping
	// ErrGeometry); Geometry is nil then.
	Problem error
}

// Layer is what Read returns.
type Layer struct {
	// Source names the layer in messages: the URL without a password,
	// then `table "plans.zoning"` or `query`.
	Source         string
	Table          string // Options.Table, as given
	GeometryColumn string
	// SRID is the rows' SRID (the column's declared SRID when no row has
	// a geometry); 0 when unknown. EPSG is the EPSG code spatial_ref_sys
	// gives that SRID (auth_name EPSG), else 0.
	SRID, EPSG int
	Columns    []string // the property columns, in result order
	Features   []Feature
}

// Sentinels for errors.Is: every *Error wraps exactly one of them.
var (
	// ErrURL: the source is not a postgresql:// URL pgx can parse.
	ErrURL = errors.New("not a postgresql:// URL")
	// ErrPassword: the URL holds a password.
	ErrPassword = errors.New("the URL holds a password; remove it and give it in the PGPASSWORD environment variable (or ~/.pgpass)")
	// ErrOptions: not exactly one of table and query, or a table name
	// that is not name or schema.name.
	ErrOptions = errors.New("bad options")
	// ErrConnect: the server cannot be reached or refuses the login.
	ErrConnect = errors.New("cannot connect")
	// ErrNoTable: the table does not exist (or is not visible).
	ErrNoTable = errors.New("relation does not exist")
	// ErrNoPostGIS: the database has no geometry type.
	ErrNoPostGIS = errors.New("PostGIS is not installed in the database")
	// ErrGeometryColumn: no geometry column, or several and none chosen,
	// or the chosen one is not there.
	ErrGeometryColumn = errors.New("no single geometry column")
	// ErrQuery: the database refused the statement or failed running it.
	ErrQuery = errors.New("query failed")
	// ErrMixedSRID: the rows' geometries have different SRIDs.
	ErrMixedSRID = errors.New("rows have different SRIDs")
	// ErrGeometry: one row's geometry is unusable. It is only ever found
	// in Feature.Problem, never returned by Read.
	ErrGeometry = errors.New("invalid geometry")
)

// Error is a problem with a source or one of its rows. Its message reads
//
//	postgis: postgresql://plan@127.0.0.1:5432/gis: table "zoning": relation does not exist
//	postgis: postgresql://plan@127.0.0.1:5432/gis: query: row 7: invalid geometry: NaN coordinate (point 3)
type Error struct {
	Source string // the URL without a password (Redact)
	Table  string // as given; empty for a query
	Row    int    // 1-based row number; 0 when the source as a whole
	Err    error  // one of the sentinels above
	Detail string // an EWKB decoder's detail, quoted as it is in Text
	// Cause is the underlying error (pgx's, the context's), if any; it is
	// reachable with errors.Is and errors.As.
	Cause error
}

func (e *Error) Error() string { return e.message(english) }

// Text is the message in English (Error) and Chinese, for a row's
// geometry problem reported as a finding.
func (e *Error) Text() geo.Text {
	return geo.Text{Message: e.message(english), MessageZH: e.message(chinese)}
}

// wording is what the English and the Chinese message differ in; the
// source, the table and the decoder's detail are written as they are.
type wording struct {
	sep, row, geometry string
}

var (
	english = wording{sep: ": ", row: "row %d", geometry: ErrGeometry.Error()}
	chinese = wording{sep: "：", row: "第 %d 行", geometry: "几何无效"}
)

func (e *Error) message(w wording) string {
	var b strings.Builder
	b.WriteString("postgis" + w.sep)
	b.WriteString(where(e.Source, e.Table))
	if e.Row > 0 {
		b.WriteString(w.sep)
		fmt.Fprintf(&b, w.row, e.Row)
	}
	b.WriteString(w.sep)
	if e.Err == ErrGeometry {
		b.WriteString(w.geometry)
	} else {
		b.WriteString(e.Err.Error())
	}
	if e.Detail != "" {
		b.WriteString(w.sep + e.Detail)
	}
	return b.String()
}

// Unwrap gives the sentinel and the cause.
func (e *Error) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// where is how messages name a source: the redacted URL, then the table
// or "query".
func where(source, table string) string {
	if table == "" {
		return source + ": query"
	}
	return fmt.Sprintf("%s: table %q", source, table)
}

// Redact returns the URL without its password (in the user part or a
// password parameter), for messages. Something that does not parse as a
// URL loses anything that looks like one.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		s = userPassword.ReplaceAllString(s, "$1@")
		return passwordParam.ReplaceAllString(s, "")
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.User(u.User.Username())
		}
	}
	// The parameters as written, less any password: url.Values would
	// drop a pair it cannot unescape and reorder the rest.
	var keep []string
	for _, pair := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(pair, "=")
		if uk, err := url.QueryUnescape(k); err == nil {
			k = uk
		}
		if pair != "" && !strings.EqualFold(k, "password") {
			keep = append(keep, pair)
		}
	}
	u.RawQuery = strings.Join(keep, "&")
	return u.String()
}

var (
	userPassword  = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9+.-]*://[^:/@]*):[^@/]*@`)
	passwordParam = regexp.MustCompile(`(?i)[?&]?password=[^&\s]*`)
)

func hasPassword(q url.Values) bool {
	for k := range q {
		if strings.EqualFold(k, "password") {
			return true
		}
	}
	return false
}

// checkURL refuses what is not a postgresql:// URL and a URL holding a
// password.
func checkURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrURL, err)
	}
	if u.Scheme != "postgresql" && u.Scheme != "postgres" {
		return ErrURL
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			return ErrPassword
		}
	}
	if hasPassword(u.Query()) {
		return ErrPassword
	}
	return nil
}
