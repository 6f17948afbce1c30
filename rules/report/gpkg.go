package report

import (
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/geo/gpkg"
	"github.com/plancheck/plancheck/rules"

	// The pure-Go SQLite driver: plancheck stays one static binary.
	_ "modernc.org/sqlite"
)

// gpkgTable is the feature table of conflicts.gpkg.
const gpkgTable = "conflicts"

// GeoPackage writes conflicts.gpkg (OGC GeoPackage 1.3), the lossless
// format of QGIS and ArcGIS: one feature per finding in table conflicts,
// EPSG:4326, MultiPolygon geometry as conflicts.geojson gives it, an R-tree
// spatial index with the triggers that keep it current, and the
// conflicts.geojson properties as columns (lists as readable text).
// The same result gives the same bytes: rows go in report order and the
// file carries no clock time (last_change is the run date).
func GeoPackage(w io.Writer, r *rules.Result) error {
	return geoPackageIn(w, r, "")
}

// geoPackageIn is GeoPackage building the SQLite file in dir ("" for the
// temporary directory).
func geoPackageIn(w io.Writer, r *rules.Result, dir string) error {
	if r == nil {
		return ErrNilResult
	}
	tmp, err := os.CreateTemp(dir, tempPrefix+"gpkg-*")
	if err != nil {
		return fmt.Errorf("report: geopackage: %w", err)
	}
	path := tmp.Name()
	tmp.Close()
	defer os.Remove(path)
	os.Remove(path + "-journal")
	if err := writeGeoPackage(path, r); err != nil {
		return fmt.Errorf("report: geopackage: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("report: geopackage: %w", err)
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// gpkgColumns are the feature table's attribute columns, in order.
var gpkgColumns = []struct{ name, typ string }{
	{"rule", "TEXT"}, {"severity", "TEXT"},
	{"layer_a", "TEXT"}, {"feature_a", "TEXT"}, {"class_a", "TEXT"},
	{"layer_b", "TEXT"}, {"feature_b", "TEXT"}, {"class_b", "TEXT"},
	{"layers", "TEXT"}, {"features", "TEXT"}, {"classes", "TEXT"},
	{"area_m2", "REAL"}, {"length_m", "REAL"},
	{"message_zh", "TEXT"}, {"message_en", "TEXT"},
	{"fingerprint", "TEXT"}, {"district", "TEXT"}, {"geometry_kind", "TEXT"},
	{"file", "TEXT"}, {"line", "INTEGER"},
	{"state", "TEXT"}, {"decision", "TEXT"}, {"waived", "INTEGER"}, {"first_seen", "TEXT"}, {"previous_features", "TEXT"},
}

func writeGeoPackage(path string, r *rules.Result) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	fs := sortedFindings(r)
	ext := newExtents(r, fs)
	changed := "2000-01-01T00:00:00.000Z"
	if r.Date != "" {
		changed = r.Date + "T00:00:00.000Z"
	}
	srsID, project := int32(4326), roundGeometry
	srsRow := ""
	if c := r.OutCRS; c != nil && c.EPSG != 4326 {
		if c.WKT() == "" {
			return fmt.Errorf("conflicts.gpkg: %s has no EPSG definition to write", c)
		}
		srsID = int32(c.EPSG)
		srsRow = fmt.Sprintf(",\n\t\t\t('%s', %d, 'EPSG', %d, '%s', '%s')", strings.TrimPrefix(c.Name, c.String()+" "), c.EPSG, c.EPSG, c.WKT(), c.Name)
		if !c.Geographic {
			// Millimetres, as the degrees are rounded to about a centimetre.
			crs := *c
			project = func(g orb.Geometry) orb.Geometry {
				return geo.Transform(g, func(lon, lat float64) (float64, float64) {
					x, y := crs.FromLonLat(lon, lat)
					return round(x, 3), round(y, 3)
				})
			}
		}
	}
	var cols []string
	for _, c := range gpkgColumns {
		cols = append(cols, c.name+" "+c.typ)
	}
	stmts := []string{
		"PRAGMA application_id = 1196444487", // "GPKG"
		"PRAGMA user_version = 10300",        // 1.3.0: what GDAL 3.6 and QGIS 3.22 read without a warning
		"PRAGMA journal_mode = OFF",
		"PRAGMA temp_store = MEMORY", // no temporary files beside it or in TMPDIR
		`CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY, organization TEXT NOT NULL,
			organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)`,
		`INSERT INTO gpkg_spatial_ref_sys VALUES
			('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined', 'undefined cartesian coordinate reference system'),
			('Undefined geographic SRS', 0, 'NONE', 0, 'undefined', 'undefined geographic coordinate reference system'),
			('WGS 84 geodetic', 4326, 'EPSG', 4326, '` + wgs84WKT + `', 'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid')` + srsRow,
		`CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
			description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
			min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
			CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))`,
		`CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
			srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
			CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
			CONSTRAINT uk_gc_table_name UNIQUE (table_name),
			CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
			CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))`,
		`CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
			definition TEXT NOT NULL, scope TEXT NOT NULL,
			CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))`,
		"CREATE TABLE " + gpkgTable + " (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, geom MULTIPOLYGON, " + strings.Join(cols, ", ") + ")",
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			return fmt.Errorf("%w (in %.60s)", err, s)
		}
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(gpkgColumns)+1), ", ")
	insert, err := tx.Prepare("INSERT INTO " + gpkgTable + " (geom, " + columnNames() + ") VALUES (" + marks + ")")
	if err != nil {
		return err
	}
	defer insert.Close()
	var all orb.Bound
	seen := false
	boxes := make([]*orb.Bound, len(fs)) // for the R-tree, by fid - 1
	for i, f := range fs {
		g, kind := polygonalGeometry(f, ext)
		var blob []byte
		if g != nil {
			g = project(g)
			b := geo.BoundOf(g)
			boxes[i] = &b
			if !seen {
				all, seen = b, true
			} else {
				all = all.Union(b)
			}
			if blob, err = gpkg.EncodeBlob(g, srsID); err != nil {
				return fmt.Errorf("finding %s %s: %w", f.Rule, f.Subject(), err)
			}
		}
		p := newProperties(f)
		get := func(s []string, i int) any {
			if i < len(s) {
				return s[i]
			}
			return nil
		}
		row := []any{blob, f.Rule, f.Severity.String(),
			get(f.Layers, 0), get(f.Features, 0), get(f.Classes, 0),
			get(f.Layers, 1), get(f.Features, 1), get(f.Classes, 1),
			strings.Join(f.Layers, ", "), strings.Join(f.Features, ", "), strings.Join(f.Classes, ", "),
			round(f.AreaM2, 2), round(f.LengthM, 2),
			nullable(f.MessageZH), nullable(f.Message),
			p.Fingerprint, nullable(f.District), kind,
			nullable(f.Location.File), nullableInt(f.Location.Line),
			nil, nil, nil, nil, nil}
		if rv := f.Review; rv != nil {
			row[20], row[23] = nullable(rv.State), nullable(rv.FirstSeen)
			if rv.Decision != nil {
				row[21] = rv.Decision.Status
			}
			waived := 0
			if rv.Waived {
				waived = 1
			}
			row[22] = waived
			if rv.PreviousFeatures != nil {
				row[24] = strings.Join(rv.PreviousFeatures, ", ")
			}
		}
		if _, err := insert.Exec(row...); err != nil {
			return err
		}
	}
	if !seen {
		all = orb.Bound{}
	}
	title := "plancheck conflicts"
	if r.PlanSet != "" {
		title += ": " + r.PlanSet
	}
	tail := []struct {
		sql  string
		args []any
	}{
		{"INSERT INTO gpkg_contents VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, ?)",
			[]any{gpkgTable, gpkgTable, title, changed, all.Min[0], all.Min[1], all.Max[0], all.Max[1], srsID}},
		{"INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', 'MULTIPOLYGON', ?, 0, 0)", []any{gpkgTable, srsID}},
		{"INSERT INTO gpkg_extensions VALUES (?, 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')", []any{gpkgTable}},
		{"CREATE VIRTUAL TABLE rtree_conflicts_geom USING rtree(id, minx, maxx, miny, maxy)", nil},
	}
	for _, s := range tail {
		if _, err := tx.Exec(s.sql, s.args...); err != nil {
			return fmt.Errorf("%w (in %.60s)", err, s.sql)
		}
	}
	// The index is filled from the boxes computed above (SQLite has no
	// ST_ functions), then the triggers of the R-tree extension keep it
	// current for editors that change the file.
	if err := fillRTree(tx, boxes); err != nil {
		return err
	}
	for _, s := range rtreeTriggers {
		if _, err := tx.Exec(strings.ReplaceAll(strings.ReplaceAll(s, "<t>", gpkgTable), "<c>", "geom")); err != nil {
			return fmt.Errorf("%w (in %.60s)", err, s)
		}
	}
	return tx.Commit()
}

func fillRTree(tx *sql.Tx, boxes []*orb.Bound) error {
	stmt, err := tx.Prepare("INSERT INTO rtree_conflicts_geom VALUES (?, ?, ?, ?, ?)")
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i, b := range boxes {
		if b == nil {
			continue
		}
		if _, err := stmt.Exec(i+1, b.Min[0], b.Max[0], b.Min[1], b.Max[1]); err != nil {
			return err
		}
	}
	return nil
}

func columnNames() string {
	names := make([]string, len(gpkgColumns))
	for i, c := range gpkgColumns {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullableInt(n int) any {
	if n == 0 {
		return nil
	}
	return n
}

// wgs84WKT is EPSG:4326 as the GeoPackage specification's default row
// gives it.
const wgs84WKT = `GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]`

// rtreeTriggers keep the R-tree index of a geometry column current (the
// triggers the GeoPackage R-tree extension defines; <t> is the table, <c>
// the column).
var rtreeTriggers = []string{
	`CREATE TRIGGER rtree_<t>_<c>_insert AFTER INSERT ON <t> WHEN (new.<c> NOT NULL AND NOT ST_IsEmpty(NEW.<c>))
BEGIN INSERT OR REPLACE INTO rtree_<t>_<c> VALUES (NEW.fid, ST_MinX(NEW.<c>), ST_MaxX(NEW.<c>), ST_MinY(NEW.<c>), ST_MaxY(NEW.<c>)); END`,
	`CREATE TRIGGER rtree_<t>_<c>_update1 AFTER UPDATE OF <c> ON <t> WHEN OLD.fid = NEW.fid AND (NEW.<c> NOTNULL AND NOT ST_IsEmpty(NEW.<c>))
BEGIN INSERT OR REPLACE INTO rtree_<t>_<c> VALUES (NEW.fid, ST_MinX(NEW.<c>), ST_MaxX(NEW.<c>), ST_MinY(NEW.<c>), ST_MaxY(NEW.<c>)); END`,
	`CREATE TRIGGER rtree_<t>_<c>_update2 AFTER UPDATE OF <c> ON <t> WHEN OLD.fid = NEW.fid AND (NEW.<c> ISNULL OR ST_IsEmpty(NEW.<c>))
BEGIN DELETE FROM rtree_<t>_<c> WHERE id = OLD.fid; END`,
	`CREATE TRIGGER rtree_<t>_<c>_update3 AFTER UPDATE ON <t> WHEN OLD.fid != NEW.fid AND (NEW.<c> NOTNULL AND NOT ST_IsEmpty(NEW.<c>))
BEGIN DELETE FROM rtree_<t>_<c> WHERE id = OLD.fid; INSERT OR REPLACE INTO rtree_<t>_<c> VALUES (NEW.fid, ST_MinX(NEW.<c>), ST_MaxX(NEW.<c>), ST_MinY(NEW.<c>), ST_MaxY(NEW.<c>)); END`,
	`CREATE TRIGGER rtree_<t>_<c>_update4 AFTER UPDATE ON <t> WHEN OLD.fid != NEW.fid AND (NEW.<c> ISNULL OR ST_IsEmpty(NEW.<c>))
BEGIN DELETE FROM rtree_<t>_<c> WHERE id IN (OLD.fid, NEW.fid); END`,
	`CREATE TRIGGER rtree_<t>_<c>_delete AFTER DELETE ON <t> WHEN old.<c> NOT NULL
BEGIN DELETE FROM rtree_<t>_<c> WHERE id = OLD.fid; END`,
}
