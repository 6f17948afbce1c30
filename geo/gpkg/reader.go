package gpkg

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/plancheck/plancheck/geo"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// The application_id values of GeoPackage files: "GPKG" (1.2 and later),
// "GP10" and "GP11" (1.0 and 1.1).
var applicationIDs = map[uint32]bool{0x47504B47: true, 0x47503130: true, 0x47503131: true}

// Read reads one feature table of the GeoPackage at path (see Options and
// the package documentation). The error, when there is one, is an *Error
// and nothing else is returned.
func Read(ctx context.Context, path string, opts Options) (*Layer, error) {
	if opts.MaxVertices <= 0 {
		opts.MaxVertices = geo.DefaultMaxVertices
	}
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = geo.DefaultMaxBytes
	}
	db, err := open(path, opts.MaxBytes)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	r := &reader{db: db, file: path}
	tables, err := r.tables(ctx)
	if err != nil {
		return nil, err
	}
	table, err := r.choose(ctx, tables, opts.Table)
	if err != nil {
		return nil, err
	}
	l := &Layer{File: path, Table: table}
	if err := r.describe(ctx, l); err != nil {
		return nil, err
	}
	if err := r.features(ctx, l, opts.MaxVertices); err != nil {
		return nil, err
	}
	return l, nil
}

// Tables lists the feature tables of the GeoPackage at path
// (gpkg_contents rows with data_type 'features'), sorted by name.
func Tables(ctx context.Context, path string) ([]string, error) {
	db, err := open(path, 0)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	r := &reader{db: db, file: path}
	return r.tables(ctx)
}

// open checks that path is a whole SQLite file with a GeoPackage
// application_id and no larger than maxBytes (0: no limit), and opens it
// read-only.
func open(path string, maxBytes int64) (*sql.DB, error) {
	if kind := geo.NotRegular(path); kind != "" {
		return nil, &Error{File: path, Err: ErrUnreadable, Msg: kind + ", not a regular file"}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Err: ErrUnreadable, Msg: unwrapPath(err)}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &Error{File: path, Err: ErrUnreadable, Msg: unwrapPath(err)}
	}
	size := st.Size()
	if maxBytes > 0 && size > maxBytes {
		return nil, &Error{File: path, Err: ErrTooLarge, Msg: fmt.Sprintf("%d bytes, more than %d", size, maxBytes)}
	}
	var h [100]byte
	n, err := io.ReadFull(f, h[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, &Error{File: path, Err: ErrUnreadable, Msg: err.Error()}
	}
	const magic = "SQLite format 3\x00"
	if n < len(magic) || string(h[:len(magic)]) != magic {
		return nil, &Error{File: path, Err: ErrNotGeoPackage, Msg: "not a SQLite database (a GeoPackage is one)"}
	}
	if n < len(h) {
		return nil, &Error{File: path, Err: ErrCorrupt, Msg: fmt.Sprintf("truncated: %d bytes, shorter than the 100-byte SQLite header", n)}
	}
	if id := binary.BigEndian.Uint32(h[68:]); !applicationIDs[id] {
		return nil, &Error{File: path, Err: ErrNotGeoPackage, Msg: fmt.Sprintf("a SQLite database whose application_id is %s, not 'GPKG'", appID(id))}
	}
	// The header's page count is current when its version-valid-for
	// number equals the change counter; with a write-ahead log beside the
	// file, pages may live there instead.
	pageSize := int64(binary.BigEndian.Uint16(h[16:]))
	if pageSize == 1 {
		pageSize = 65536
	}
	pages := int64(binary.BigEndian.Uint32(h[28:]))
	_, walErr := os.Stat(path + "-wal")
	if pageSize >= 512 && pages > 0 && binary.BigEndian.Uint32(h[92:]) == binary.BigEndian.Uint32(h[24:]) &&
		walErr != nil && size < pages*pageSize {
		return nil, &Error{File: path, Err: ErrCorrupt, Msg: fmt.Sprintf("truncated: %d bytes, its header says %d pages of %d bytes", size, pages, pageSize)}
	}
	db, err := sql.Open("sqlite", readOnlyURI(path))
	if err != nil {
		return nil, &Error{File: path, Err: ErrUnreadable, Msg: err.Error()}
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// appID spells an application_id as its four characters when they are
// printable, else in hexadecimal.
func appID(id uint32) string {
	b := binary.BigEndian.AppendUint32(nil, id)
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return fmt.Sprintf("%#08x", id)
		}
	}
	return "'" + string(b) + "'"
}

func unwrapPath(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// readOnlyURI is the SQLite URI opening path read-only: '%', '?' and '#'
// escaped, a Windows drive path given a leading slash.
func readOnlyURI(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	p := filepath.ToSlash(abs)
	if len(p) >= 2 && p[1] == ':' {
		p = "/" + p
	}
	p = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(p)
	return "file:" + p + "?mode=ro"
}

type reader struct {
	db   *sql.DB
	file string
}

// fail turns a database error into the file's (or table's) error.
func (r *reader) fail(ctx context.Context, table, doing string, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return &Error{File: r.file, Table: table, Err: ctxErr}
	}
	kind := ErrUnreadable
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_FORMAT, sqlite3.SQLITE_RANGE:
			kind = ErrCorrupt
		}
	}
	return &Error{File: r.file, Table: table, Err: kind, Msg: doing + ": " + err.Error()}
}

func (r *reader) tables(ctx context.Context) ([]string, error) {
	var n int
	err := r.db.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = 'gpkg_contents'").Scan(&n)
	if err != nil {
		return nil, r.fail(ctx, "", "reading the schema", err)
	}
	if n == 0 {
		return nil, &Error{File: r.file, Err: ErrNotGeoPackage, Msg: "no gpkg_contents table"}
	}
	rows, err := r.db.QueryContext(ctx, "SELECT table_name FROM gpkg_contents WHERE data_type = 'features'")
	if err != nil {
		return nil, r.fail(ctx, "", "reading gpkg_contents", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name sql.NullString
		if err := rows.Scan(&name); err != nil {
			return nil, r.fail(ctx, "", "reading gpkg_contents", err)
		}
		if name.Valid {
			out = append(out, name.String)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, r.fail(ctx, "", "reading gpkg_contents", err)
	}
	slices.Sort(out)
	return out, nil
}

// choose picks the table to read: the one named (as gpkg_contents spells
// it; SQLite names are case-insensitive), else the only one.
func (r *reader) choose(ctx context.Context, tables []string, want string) (string, error) {
	list := func() string {
		if len(tables) == 0 {
			return "the file has no feature table"
		}
		q := make([]string, len(tables))
		for i, t := range tables {
			q[i] = strconv.Quote(t)
		}
		return "its feature tables: " + strings.Join(q, ", ")
	}
	if want == "" {
		switch len(tables) {
		case 1:
			return tables[0], nil
		case 0:
			return "", &Error{File: r.file, Err: ErrNoTable, Msg: "the file has no feature table"}
		}
		return "", &Error{File: r.file, Err: ErrAmbiguous, Msg: "name one with table: (" + list() + ")"}
	}
	if slices.Contains(tables, want) {
		return want, nil
	}
	for _, t := range tables {
		if strings.EqualFold(t, want) {
			return t, nil
		}
	}
	msg := list()
	var dataType string
	err := r.db.QueryRowContext(ctx, "SELECT data_type FROM gpkg_contents WHERE table_name = ? COLLATE NOCASE", want).Scan(&dataType)
	if err == nil {
		msg = fmt.Sprintf("it is a %q table, not features; %s", dataType, msg)
	}
	return "", &Error{File: r.file, Table: want, Err: ErrNoTable, Msg: msg}
}

// describe fills the layer's geometry column, SRS and columns.
func (r *reader) describe(ctx context.Context, l *Layer) error {
	err := r.db.QueryRowContext(ctx, "SELECT column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ? COLLATE NOCASE", l.Table).
		Scan(&l.GeometryColumn, &l.GeometryType, &l.SRSID)
	if errors.Is(err, sql.ErrNoRows) {
		return &Error{File: r.file, Table: l.Table, Err: ErrCorrupt, Msg: "a feature table without its gpkg_geometry_columns row"}
	}
	if err != nil {
		return r.fail(ctx, l.Table, "reading gpkg_geometry_columns", err)
	}
	var org sql.NullString
	var code sql.NullInt64
	var def sql.NullString
	err = r.db.QueryRowContext(ctx, "SELECT srs_name, organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?", l.SRSID).
		Scan(&l.SRSName, &org, &code, &def)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if l.SRSID != 0 && l.SRSID != -1 {
			return &Error{File: r.file, Table: l.Table, Err: ErrCorrupt, Msg: fmt.Sprintf("srs_id %d is not in gpkg_spatial_ref_sys", l.SRSID)}
		}
	case err != nil:
		return r.fail(ctx, l.Table, "reading gpkg_spatial_ref_sys", err)
	}
	l.SRSDefinition = def.String
	if strings.EqualFold(org.String, "EPSG") && code.Valid && code.Int64 > 0 && l.SRSID != 0 && l.SRSID != -1 {
		l.EPSG = int(code.Int64)
	}
	return nil
}

// column is an attribute column.
type column struct {
	name    string
	boolean bool
}

// features reads every row, ordered by its primary key.
func (r *reader) features(ctx context.Context, l *Layer, maxPoints int) error {
	rows, err := r.db.QueryContext(ctx, "SELECT name, type, pk FROM pragma_table_info(?)", l.Table)
	if err != nil {
		return r.fail(ctx, l.Table, "reading the table's columns", err)
	}
	var cols []column
	pk, pks := "", 0
	geomFound := false
	for rows.Next() {
		var name, typ string
		var isPK int
		if err := rows.Scan(&name, &typ, &isPK); err != nil {
			rows.Close()
			return r.fail(ctx, l.Table, "reading the table's columns", err)
		}
		if isPK > 0 {
			pks++
			if strings.EqualFold(typ, "INTEGER") {
				pk = name
				continue
			}
		}
		if strings.EqualFold(name, l.GeometryColumn) {
			geomFound = true
			continue
		}
		cols = append(cols, column{name: name, boolean: strings.EqualFold(typ, "BOOLEAN")})
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return r.fail(ctx, l.Table, "reading the table's columns", err)
	}
	if pks == 0 && len(cols) == 0 && !geomFound {
		return &Error{File: r.file, Table: l.Table, Err: ErrCorrupt, Msg: "listed in gpkg_contents but the table does not exist"}
	}
	if pk == "" || pks != 1 {
		return &Error{File: r.file, Table: l.Table, Err: ErrCorrupt, Msg: "no INTEGER PRIMARY KEY column (a feature table has one, usually fid)"}
	}
	if !geomFound {
		return &Error{File: r.file, Table: l.Table, Err: ErrCorrupt, Msg: fmt.Sprintf("no geometry column %q (gpkg_geometry_columns names it)", l.GeometryColumn)}
	}
	// "+col" is the value as stored: a bare column declared DATE or
	// DATETIME would be turned into a time.Time by the driver.
	sel := []string{quote(pk), quote(l.GeometryColumn)}
	for _, c := range cols {
		l.Columns = append(l.Columns, c.name)
		sel = append(sel, "+"+quote(c.name))
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + quote(l.Table) + " ORDER BY " + quote(pk)
	rows, err = r.db.QueryContext(ctx, q)
	if err != nil {
		return r.fail(ctx, l.Table, "reading the features", err)
	}
	defer rows.Close()
	vals := make([]any, len(sel))
	ptrs := make([]any, len(sel))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	w := warnings{table: l.Table, srsID: l.SRSID}
	for n := 0; rows.Next(); n++ {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return &Error{File: r.file, Table: l.Table, Err: err}
			}
		}
		for i := range vals {
			vals[i] = nil
		}
		if err := rows.Scan(ptrs...); err != nil {
			return r.fail(ctx, l.Table, "reading the features", err)
		}
		fid, ok := vals[0].(int64)
		if !ok {
			return &Error{File: r.file, Table: l.Table, Err: ErrCorrupt, Msg: fmt.Sprintf("primary key %v is not an integer", vals[0])}
		}
		f := Feature{FID: fid}
		w.fid = fid
		switch v := vals[1].(type) {
		case nil:
		case []byte:
			g, srs, zm, err := decodeBlob(v, maxPoints)
			if err != nil {
				f.Problem = &Error{File: r.file, Table: l.Table, FID: fid, Err: ErrGeometry, Msg: err.Error()}
				break
			}
			f.Geometry = g
			w.blob(fid, srs, zm)
		default:
			f.Problem = &Error{File: r.file, Table: l.Table, FID: fid, Err: ErrGeometry, Msg: fmt.Sprintf("the geometry column holds %s, not a GeoPackage blob", sqlType(v)),
				MsgZH: fmt.Sprintf("几何列存放的是 %s，不是 GeoPackage 几何 blob", sqlType(v))}
		}
		if len(cols) > 0 {
			f.Properties = make([]Property, len(cols))
			for i, c := range cols {
				f.Properties[i] = Property{Name: c.name, Value: w.value(c, vals[2+i])}
			}
		}
		l.Features = append(l.Features, f)
	}
	if err := rows.Err(); err != nil {
		return r.fail(ctx, l.Table, "reading the features", err)
	}
	l.Warnings = append(l.Warnings, w.lines()...)
	return nil
}

// quote quotes an SQL identifier.
func quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func sqlType(v any) string {
	switch v.(type) {
	case string:
		return "TEXT"
	case int64:
		return "an INTEGER"
	case float64:
		return "a REAL"
	}
	return fmt.Sprintf("%T", v)
}

// warnings collects what a layer's rows give reason to say, one line per
// kind however many rows.
type warnings struct {
	table    string
	srsID    int32
	otherSRS map[int32][2]int64 // srs_id → rows, first fid
	zm       int
	zmFirst  int64
	badUTF8  map[string][2]int64 // column → values, first fid
	colOrder []string
	srsOrder []int32
	fid      int64
}

func (w *warnings) blob(fid int64, srs int32, zm bool) {
	if zm {
		if w.zm == 0 {
			w.zmFirst = fid
		}
		w.zm++
	}
	if srs != w.srsID {
		if w.otherSRS == nil {
			w.otherSRS = map[int32][2]int64{}
		}
		s, ok := w.otherSRS[srs]
		if !ok {
			s[1] = fid
			w.srsOrder = append(w.srsOrder, srs)
		}
		s[0]++
		w.otherSRS[srs] = s
	}
}

// value converts one attribute value.
func (w *warnings) value(c column, v any) any {
	switch v := v.(type) {
	case []byte:
		return hex.EncodeToString(v)
	case int64:
		if c.boolean && (v == 0 || v == 1) {
			return v == 1
		}
	case string:
		if !utf8.ValidString(v) {
			if w.badUTF8 == nil {
				w.badUTF8 = map[string][2]int64{}
			}
			s, ok := w.badUTF8[c.name]
			if !ok {
				s[1] = w.fid
				w.colOrder = append(w.colOrder, c.name)
			}
			s[0]++
			w.badUTF8[c.name] = s
		}
	}
	return v
}

func (w *warnings) lines() []geo.Text {
	var out []geo.Text
	for _, srs := range w.srsOrder {
		s := w.otherSRS[srs]
		out = append(out, geo.Textf("table %s: %d geometries (first fid %d) have srs_id %d, not the table's %d; their coordinates are read as the table's",
			"表 %s：%d 个几何（首个 fid %d）的 srs_id 为 %d，不是该表的 %d；其坐标按该表的读取", w.table, s[0], s[1], srs, w.srsID))
	}
	if w.zm > 0 {
		out = append(out, geo.Textf("table %s: %d geometries (first fid %d) carry Z or M values; only x and y are read",
			"表 %s：%d 个几何（首个 fid %d）带有 Z 或 M 值；只读取 x 和 y", w.table, w.zm, w.zmFirst))
	}
	for _, c := range w.colOrder {
		s := w.badUTF8[c]
		out = append(out, geo.Textf("table %s: column %s: %d values (first fid %d) are not valid UTF-8 text; kept as stored",
			"表 %s：列 %s：%d 个值（首个 fid %d）不是有效的 UTF-8 文本；按存储原样保留", w.table, c, s[0], s[1]))
	}
	return out
}
