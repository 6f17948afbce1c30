package postgis

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/big"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/plancheck/plancheck/geo"
)

// Result column type OIDs read into Go types; every other type is read as
// its text form.
const (
	oidBool    = 16
	oidBytea   = 17
	oidInt8    = 20
	oidInt2    = 21
	oidInt4    = 23
	oidFloat4  = 700
	oidFloat8  = 701
	oidNumeric = 1700
)

// defaultConnectTimeout bounds connecting when neither the URL
// (connect_timeout) nor PGCONNECT_TIMEOUT does, so an unreachable host is
// an error in seconds, not after the system's TCP timeout.
const defaultConnectTimeout = 30 * time.Second

// Read reads a layer from the table or query of opts at the database of
// url. The password comes from PGPASSWORD or ~/.pgpass; a url holding one
// is refused. Every error is an *Error naming the source, and no layer is
// returned with it.
func Read(ctx context.Context, url string, opts Options) (*Layer, error) {
	r := &reader{src: Redact(url), table: opts.Table, opts: opts}
	if r.opts.MaxVertices <= 0 {
		r.opts.MaxVertices = geo.DefaultMaxVertices
	}
	if err := checkURL(url); err != nil {
		kind := ErrURL
		if errors.Is(err, ErrPassword) {
			kind = ErrPassword
		}
		return nil, r.fail(kind, "", err)
	}
	if (opts.Table == "") == (opts.Query == "") {
		return nil, r.fail(ErrOptions, "give exactly one of table and query", nil)
	}
	var ident pgx.Identifier
	if opts.Table != "" {
		parts := strings.Split(opts.Table, ".")
		if len(parts) > 2 || slicesContainsEmpty(parts) {
			return nil, r.fail(ErrOptions, "a table is name or schema.name", nil)
		}
		ident = pgx.Identifier(parts)
	}

	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, r.fail(ErrURL, "", err)
	}
	for k, v := range map[string]string{
		// Text forms that do not depend on the server's settings.
		"DateStyle":          "ISO, YMD",
		"IntervalStyle":      "postgres",
		"TimeZone":           "UTC",
		"extra_float_digits": "3",
		"application_name":   "plancheck",
	} {
		if _, set := cfg.RuntimeParams[k]; !set {
			cfg.RuntimeParams[k] = v
		}
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, r.fail(ErrConnect, connectHint(err), err)
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		conn.Close(cctx)
	}()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, r.queryFail(err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	r.tx = tx

	if err := r.geometryTypes(ctx); err != nil {
		return nil, err
	}
	sql := opts.Query
	if ident != nil {
		if sql, err = r.tableSQL(ctx, ident); err != nil {
			return nil, err
		}
	}
	return r.read(ctx, sql)
}

func slicesContainsEmpty(parts []string) bool {
	for _, p := range parts {
		if p == "" {
			return true
		}
	}
	return false
}

// connectHint adds what a user most likely has to do for a login the
// server refused.
func connectHint(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "28P01" && os.Getenv("PGPASSWORD") == "" {
		return "no PGPASSWORD set"
	}
	return ""
}

type reader struct {
	src   string
	table string
	opts  Options
	tx    pgx.Tx
	// geomOIDs are the OIDs of the types named geometry (one per schema
	// PostGIS is installed in), with the schema of each.
	geomOIDs map[uint32]string
}

func (r *reader) fail(kind error, detail string, cause error) *Error {
	if cause != nil && detail == "" {
		detail = cause.Error()
	} else if cause != nil {
		detail += ": " + cause.Error()
	}
	if errors.Is(cause, ErrPassword) || errors.Is(cause, ErrURL) {
		detail = strings.TrimPrefix(strings.TrimPrefix(detail, kind.Error()), ": ")
	}
	return &Error{Source: r.src, Table: r.table, Err: kind, Detail: detail, Cause: cause}
}

// queryFail reports an error of the database, with its message, detail,
// hint and position as PostgreSQL gives them.
func (r *reader) queryFail(err error) *Error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		d := pgErr.Message
		if pgErr.Detail != "" {
			d += " (" + pgErr.Detail + ")"
		}
		if pgErr.Hint != "" {
			d += " (hint: " + pgErr.Hint + ")"
		}
		if pgErr.Position > 0 && r.table == "" {
			d += fmt.Sprintf(" at character %d of the query", pgErr.Position)
		}
		return &Error{Source: r.src, Table: r.table, Err: ErrQuery, Detail: d, Cause: err}
	}
	return r.fail(ErrQuery, "", err)
}

func (r *reader) geometryTypes(ctx context.Context) error {
	rows, err := r.tx.Query(ctx, `SELECT t.oid, n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typname = 'geometry'`)
	if err != nil {
		return r.queryFail(err)
	}
	r.geomOIDs = map[uint32]string{}
	var oid uint32
	var schema string
	if _, err := pgx.ForEachRow(rows, []any{&oid, &schema}, func() error {
		r.geomOIDs[oid] = schema
		return nil
	}); err != nil {
		return r.queryFail(err)
	}
	if len(r.geomOIDs) == 0 {
		return r.fail(ErrNoPostGIS, "CREATE EXTENSION postgis", nil)
	}
	return nil
}

// tableSQL finds the table and returns the statement reading it in a
// stable order: its primary key, else the physical order of a table or
// materialized view; a view keeps its own.
func (r *reader) tableSQL(ctx context.Context, ident pgx.Identifier) (string, error) {
	name := ident.Sanitize()
	var oid uint32
	var kind string
	err := r.tx.QueryRow(ctx, `SELECT c.oid, c.relkind::text FROM pg_class c WHERE c.oid = to_regclass($1)`, name).Scan(&oid, &kind)
	if errors.Is(err, pgx.ErrNoRows) {
		detail := ""
		lower := make(pgx.Identifier, len(ident))
		for i, p := range ident {
			lower[i] = strings.ToLower(p)
		}
		if lower.Sanitize() != name {
			var n int
			if r.tx.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE oid = to_regclass($1)`, lower.Sanitize()).Scan(&n) == nil && n > 0 {
				detail = fmt.Sprintf("there is %q (names are case-sensitive)", strings.Join(lower, "."))
			}
		}
		if detail == "" && len(ident) == 1 {
			var path string
			if r.tx.QueryRow(ctx, `SELECT current_setting('search_path')`).Scan(&path) == nil {
				detail = "searched " + path
			}
		}
		return "", r.fail(ErrNoTable, detail, nil)
	}
	if err != nil {
		return "", r.queryFail(err)
	}
	rows, err := r.tx.Query(ctx, `
		SELECT a.attname FROM pg_index i
		CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
		WHERE i.indrelid = $1 AND i.indisprimary
		ORDER BY k.ord`, oid)
	if err != nil {
		return "", r.queryFail(err)
	}
	key, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", r.queryFail(err)
	}
	sql := "SELECT * FROM " + name
	switch {
	case len(key) > 0:
		quoted := make([]string, len(key))
		for i, k := range key {
			quoted[i] = pgx.Identifier{k}.Sanitize()
		}
		sql += " ORDER BY " + strings.Join(quoted, ", ")
	case kind == "r" || kind == "p" || kind == "m":
		sql += " ORDER BY tableoid, ctid"
	}
	return sql, nil
}

// read runs the statement: the geometry column in binary (the geometry
// type's binary form is EWKB), every other column as text.
func (r *reader) read(ctx context.Context, sql string) (*Layer, error) {
	pc := r.tx.Conn().PgConn()
	sd, err := pc.Prepare(ctx, "", sql, nil)
	if err != nil {
		return nil, r.queryFail(err)
	}
	geomCol, err := r.pickGeometry(sd.Fields)
	if err != nil {
		return nil, err
	}
	l := &Layer{Source: where(r.src, r.table), Table: r.opts.Table, GeometryColumn: sd.Fields[geomCol].Name}
	formats := make([]int16, len(sd.Fields))
	var props []int // result columns kept as properties
	for i, f := range sd.Fields {
		if _, isGeom := r.geomOIDs[f.DataTypeOID]; isGeom {
			if i == geomCol {
				formats[i] = pgx.BinaryFormatCode
			}
			continue
		}
		props = append(props, i)
		l.Columns = append(l.Columns, f.Name)
	}
	rr := pc.ExecPrepared(ctx, "", nil, nil, formats)
	var (
		srid      int
		sridRow   int
		sridFound bool
	)
	for rr.NextRow() {
		row := len(l.Features) + 1
		if row%1024 == 0 && ctx.Err() != nil {
			rr.Close()
			return nil, r.fail(ErrQuery, "", ctx.Err())
		}
		vals := rr.Values()
		f := Feature{Row: row, Properties: make([]Property, len(props))}
		for j, i := range props {
			f.Properties[j] = Property{Name: sd.Fields[i].Name, Value: value(sd.Fields[i].DataTypeOID, vals[i])}
		}
		if b := vals[geomCol]; b != nil {
			g, s, ok, err := decodeEWKB(b, r.opts.MaxVertices)
			if err != nil {
				f.Problem = &Error{Source: r.src, Table: r.table, Row: row, Err: ErrGeometry, Detail: err.Error()}
			} else {
				f.Geometry = g
			}
			if ok {
				if !sridFound {
					srid, sridRow, sridFound = s, row, true
				} else if s != srid {
					rr.Close()
					return nil, r.fail(ErrMixedSRID, fmt.Sprintf("%d (row %d) and %d (row %d); ST_Transform them to one", srid, sridRow, s, row), nil)
				}
			}
		}
		l.Features = append(l.Features, f)
	}
	if _, err := rr.Close(); err != nil {
		if ctx.Err() != nil {
			return nil, r.fail(ErrQuery, "", ctx.Err())
		}
		return nil, r.queryFail(err)
	}
	if !sridFound {
		srid = typmodSRID(sd.Fields[geomCol].TypeModifier)
	}
	l.SRID = srid
	if srid > 0 {
		schema := r.geomOIDs[sd.Fields[geomCol].DataTypeOID]
		var auth string
		var code int32
		err := r.tx.QueryRow(ctx, `SELECT coalesce(auth_name, ''), coalesce(auth_srid, 0) FROM `+pgx.Identifier{schema, "spatial_ref_sys"}.Sanitize()+` WHERE srid = $1`, srid).Scan(&auth, &code)
		switch {
		case err == nil && strings.EqualFold(auth, "EPSG"):
			l.EPSG = int(code)
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return nil, r.queryFail(err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, r.fail(ErrQuery, "", err)
	}
	return l, nil
}

// pickGeometry returns the index of the geometry column among fields.
func (r *reader) pickGeometry(fields []pgconn.FieldDescription) (int, error) {
	var geoms []int
	var names []string
	for i, f := range fields {
		if _, ok := r.geomOIDs[f.DataTypeOID]; ok {
			geoms = append(geoms, i)
			names = append(names, strconv.Quote(f.Name))
		}
	}
	if want := r.opts.GeometryColumn; want != "" {
		var found []int
		for _, i := range geoms {
			if fields[i].Name == want {
				found = append(found, i)
			}
		}
		switch {
		case len(found) == 1:
			return found[0], nil
		case len(found) > 1:
			return 0, r.fail(ErrGeometryColumn, fmt.Sprintf("%d geometry columns are named %q", len(found), want), nil)
		case len(geoms) == 0:
			return 0, r.fail(ErrGeometryColumn, fmt.Sprintf("no geometry column (%q asked for)", want), nil)
		}
		return 0, r.fail(ErrGeometryColumn, fmt.Sprintf("no geometry column %q (there is %s)", want, strings.Join(names, ", ")), nil)
	}
	switch len(geoms) {
	case 1:
		return geoms[0], nil
	case 0:
		var all []string
		for _, f := range fields {
			all = append(all, strconv.Quote(f.Name))
		}
		return 0, r.fail(ErrGeometryColumn, "no column of type geometry among "+orNone(all), nil)
	}
	return 0, r.fail(ErrGeometryColumn, "several geometry columns ("+strings.Join(names, ", ")+"); choose one", nil)
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// typmodSRID is the SRID of a geometry(Type, SRID) column's type modifier
// (PostGIS's TYPMOD_GET_SRID); 0 for a plain geometry column or one not
// from a table.
func typmodSRID(typmod int32) int {
	if typmod < 0 {
		return 0
	}
	t := uint32(typmod)
	srid := int32((t&0x0FFFFF00)-(t&0x10000000)) >> 8
	return int(srid)
}

// value converts one text-format column value.
func value(oid uint32, b []byte) any {
	if b == nil {
		return nil
	}
	s := string(b)
	switch oid {
	case oidBool:
		return s == "t"
	case oidInt2, oidInt4, oidInt8:
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	case oidFloat4, oidFloat8:
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return f
		}
	case oidNumeric:
		if f, ok := numericFloat(s); ok {
			return f
		}
	case oidBytea:
		// Requested as text, so already "\x…"; kept for other formats.
		if !strings.HasPrefix(s, `\x`) {
			return `\x` + hex.EncodeToString(b)
		}
	}
	return s
}

// numericFloat gives the float64 of a numeric's text when the float64's
// shortest decimal form has the same value (1.10 → 1.1, 0.1 → 0.1), so a
// plan's areas and ratios are numbers; a value with more digits than a
// float64 keeps, or NaN and ±Infinity, stays text.
func numericFloat(s string) (float64, bool) {
	want, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	got, ok := new(big.Rat).SetString(strconv.FormatFloat(f, 'g', -1, 64))
	if !ok || got.Cmp(want) != 0 {
		return 0, false
	}
	return f, true
}
