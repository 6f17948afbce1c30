package planning

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/plancheck/plancheck/geo"
	"go.yaml.in/yaml/v3"
)

// ManifestName is the file a plan-set directory is expected to hold.
const ManifestName = "plancheck.yaml"

// Horizon is a plan's base year and target year (规划基期/规划期限).
type Horizon struct {
	Base   int
	Target int
}

// Fields maps plancheck's attribute names to the property names a layer
// file uses. Empty entries mean the default name.
type Fields struct {
	ID     string // default: the Feature id member, else property "id"
	Class  string // default "class"
	Start  string // default "start_year"
	End    string // default "end_year"
	Width  string // default "width_m"
	Name   string // default "name" (boundary)
	Code   string // default "code" (boundary)
	Parent string // default "parent" (boundary)
	Grade  string // default "grade" (infrastructure)
}

// fieldMapping is one entry of fields: key is plancheck's name (id, class,
// …), prop the layer's property.
type fieldMapping struct{ key, prop string }

// mapped lists the fields the manifest maps, in a fixed order.
func (f Fields) mapped() []fieldMapping {
	if f == (Fields{}) {
		return nil
	}
	var out []fieldMapping
	for _, m := range []fieldMapping{{"id", f.ID}, {"class", f.Class}, {"start", f.Start}, {"end", f.End}, {"width", f.Width},
		{"name", f.Name}, {"code", f.Code}, {"parent", f.Parent}, {"grade", f.Grade}} {
		if m.prop != "" {
			out = append(out, m)
		}
	}
	return out
}

// prop is the property a mapped key reads.
func (f Fields) prop(key string) string {
	for _, m := range f.mapped() {
		if m.key == key {
			return m.prop
		}
	}
	return ""
}

func (f Fields) or(name, def string) string {
	if name != "" {
		return name
	}
	return def
}

// LayerSpec is one entry of the manifest's layers list.
type LayerSpec struct {
	Name           string
	Level          Level
	File           string // as written, relative to the manifest
	Path           string // resolved path on disk
	Horizon        Horizon
	HasHorizon     bool
	CRS            geo.CRS
	CRSDeclared    bool
	Fields         Fields
	Classification string
	City           string // boundary code of the city an infrastructure layer belongs to
	// Covers names the boundary layer whose features the layer must cover
	// without gaps (无缝); CoversCodes, when set, picks those boundary
	// features by code.
	Covers      string
	CoversCodes []string
	// Source is a database a layer is read from instead of a file
	// (postgresql://user@host/db, never with a password); Table or Query
	// name what to read of it. Table also picks a GeoPackage file's table.
	Source, Table, Query string
	Line                 int // line of the entry in the manifest
	// CityLine and FieldLines are the manifest lines of city: and of each
	// entry under fields: (by key: id, class, …), for messages.
	CityLine   int
	FieldLines map[string]int
	// Input limits for reading the file (set from the run's options).
	MaxVertices int
	MaxBytes    int64
}

// Manifest is a parsed plancheck.yaml.
type Manifest struct {
	Path    string
	Dir     string
	Name    string
	Asof    int
	HasAsof bool
	Layers  []LayerSpec
	// Rules is "default" or a path (relative to the manifest) of a rules file.
	Rules     string
	RulesPath string
	// Settings holds tolerances that rules read (e.g. "boundary_reach_m").
	Settings map[string]float64
	// Decisions is the path (relative to the manifest) of the recorded
	// review decisions (协调意见), "" when the set has none; DecisionsPath
	// is it resolved on disk.
	Decisions     string
	DecisionsPath string
	// IsTile is set for the manifest of a tile (it has a tile: section):
	// its layers hold parts of the original layers, so what is judged
	// over whole layers (a mapped field that no feature has) is left to
	// the original set.
	IsTile bool
}

// ManifestError is a problem in the manifest, with its line.
type ManifestError struct {
	File string
	Line int
	Msg  string
	Err  error // the cause, when one is wrapped (ErrOutside)
}

func (e *ManifestError) Unwrap() error { return e.Err }

func (e *ManifestError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("planning: %s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("planning: %s: %s", e.File, e.Msg)
}

// ErrOutside marks a layer or rules path that escapes the plan set.
var ErrOutside = errors.New("path escapes the plan set directory")

// ManifestOptions controls ReadManifest.
type ManifestOptions struct {
	// AllowOutside lets layer files live outside the manifest's directory
	// (absolute paths, ../, symlinks that escape). Off by default, because
	// a submitted plan set must not make the tool read the runner's files.
	AllowOutside bool
	// MaxVertices and MaxBytes are the input limits passed to the GeoJSON
	// reader (0: its defaults).
	MaxVertices int
	MaxBytes    int64
	// Progress, when set, is called after each layer is read.
	Progress func(done, total int, layer string)
	// Settings returns the settings a manifest may give: the ones the
	// rules of its rules file read (rulesPath; "" for the default rules).
	// Planning keeps no list of its own; the caller passes the rule set's
	// (rules.ManifestSettings). Nil: a manifest may give no settings.
	Settings func(rulesPath string) ([]Setting, error)
}

var layerNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// FindManifest resolves a plan-set argument: a directory (holding
// plancheck.yaml) or the manifest file itself.
func FindManifest(arg string) (string, error) {
	st, err := os.Stat(arg)
	if err != nil {
		return "", fmt.Errorf("planning: %w", err)
	}
	if st.IsDir() {
		p := filepath.Join(arg, ManifestName)
		if _, err := os.Stat(p); err != nil {
			for _, other := range []string{"plancheck.yml", "plancheck.yaml.txt", "Plancheck.yaml", "PLANCHECK.YAML", "plancheck.YAML"} {
				if fi, err := os.Stat(filepath.Join(arg, other)); err == nil && !fi.IsDir() && other != ManifestName {
					return "", fmt.Errorf("planning: %s has no %s but has %s: rename it to %s, or give --manifest %s", arg, ManifestName, other, ManifestName, filepath.Join(arg, other))
				}
			}
			return "", fmt.Errorf("planning: %s has no %s", arg, ManifestName)
		}
		return p, nil
	}
	return arg, nil
}

// ReadManifest reads and checks a manifest. Unknown keys, duplicate layer
// names, missing files and bad levels are errors naming the line.
func ReadManifest(path string, opts ManifestOptions) (*Manifest, error) {
	if kind := geo.NotRegular(path); kind != "" {
		return nil, &ManifestError{File: path, Msg: kind + ", not a regular file"}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("planning: %w", err)
	}
	return ParseManifest(data, path, opts)
}

// ParseManifest parses manifest bytes; path is used for messages and to
// resolve layer files.
func ParseManifest(data []byte, path string, opts ManifestOptions) (*Manifest, error) {
	p := &manifestParser{file: path}
	var doc yaml.Node
	if line, msg, bad := NotUTF8Text(data); bad {
		return nil, p.errf(line, "%s", msg)
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := YAMLError(data, err)
		return nil, p.errf(line, "not valid YAML: %s", yamlMessageHint(msg))
	}
	if len(doc.Content) == 0 {
		return nil, p.errf(0, "empty manifest")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root.Line, "manifest must be a mapping with name, layers, …")
	}
	if isGeoJSON(root) {
		return nil, p.errf(root.Line, "this is a GeoJSON layer, not a plan set: give the plan set's directory (holding %s) or its manifest, or check the file alone with plancheck validate FILE --level LEVEL", ManifestName)
	}
	m := &Manifest{Path: path, Dir: filepath.Dir(path), Rules: "default"}
	sawLayers := false
	rulesLine, decisionsLine := 0, 0
	var settingsNode *yaml.Node
	err := p.mapping(root, func(key string, k, v *yaml.Node) error {
		switch key {
		case "name":
			return p.str(v, &m.Name)
		case "asof":
			m.HasAsof = true
			return p.year(v, &m.Asof)
		case "rules":
			rulesLine = v.Line
			return p.str(v, &m.Rules)
		case "settings":
			// Checked once the rules file is known: its rules say which
			// settings there are.
			settingsNode = v
			return nil
		case "tile":
			// Written by plancheck tile into each tile's manifest and read
			// by package tiling; the plan set itself is unchanged by it.
			m.IsTile = true
			return nil
		case "decisions":
			decisionsLine = v.Line
			if err := p.str(v, &m.Decisions); err != nil {
				return err
			}
			if m.Decisions == "" {
				return p.errf(v.Line, "decisions must name a file (e.g. decisions.yaml)")
			}
			return nil
		case "layers":
			sawLayers = true
			if v.Kind != yaml.SequenceNode {
				return p.errf(v.Line, "layers must be a list")
			}
			for _, item := range v.Content {
				spec, err := p.layer(item, m.Dir, opts)
				if err != nil {
					return err
				}
				m.Layers = append(m.Layers, spec)
			}
			return nil
		}
		return p.errf(k.Line, "unknown key %q (want name, asof, layers, rules, settings, decisions)", key)
	})
	if err != nil {
		return nil, err
	}
	if !sawLayers || len(m.Layers) == 0 {
		return nil, p.errf(root.Line, "manifest has no layers")
	}
	seen := map[string]int{}
	for _, l := range m.Layers {
		if first, dup := seen[l.Name]; dup {
			return nil, p.errf(l.Line, "duplicate layer name %q (first at line %d)", l.Name, first)
		}
		seen[l.Name] = l.Line
	}
	if err := p.checkCovers(m.Layers); err != nil {
		return nil, err
	}
	if m.Rules != "default" {
		rp, err := resolveInside(m.Dir, m.Rules, opts.AllowOutside)
		if err != nil {
			return nil, p.wrap(rulesLine, err, "rules %q", m.Rules)
		}
		if kind := geo.NotRegular(rp); kind != "" {
			return nil, p.errf(rulesLine, "rules %q is %s, not a regular file", m.Rules, kind)
		}
		if _, err := os.Stat(rp); err != nil {
			return nil, p.errf(rulesLine, "rules file %s does not exist%s", m.Rules, slashHint(m.Rules))
		}
		m.RulesPath = rp
	}
	if settingsNode != nil {
		if err := p.settings(settingsNode, m, opts.Settings); err != nil {
			return nil, err
		}
	}
	if m.Decisions != "" {
		dp, err := resolveInside(m.Dir, m.Decisions, opts.AllowOutside)
		if err != nil {
			return nil, p.wrap(decisionsLine, err, "decisions %q", m.Decisions)
		}
		if kind := geo.NotRegular(dp); kind != "" {
			return nil, p.errf(decisionsLine, "decisions %q is %s, not a regular file", m.Decisions, kind)
		}
		m.DecisionsPath = dp
	}
	return m, nil
}

// checkCovers: covers names a boundary layer of the set; covers_codes
// needs covers.
func (p *manifestParser) checkCovers(layers []LayerSpec) error {
	level := map[string]Level{}
	var boundaries []string
	for _, l := range layers {
		level[l.Name] = l.Level
		if l.Level == Boundary {
			boundaries = append(boundaries, l.Name)
		}
	}
	for _, l := range layers {
		switch {
		case len(l.CoversCodes) > 0 && l.Covers == "":
			return p.errf(l.Line, "layer %q: covers_codes needs covers (the boundary layer they pick from)", l.Name)
		case l.Covers == "":
		case l.Level == Boundary || l.Level == Infrastructure:
			return p.errf(l.Line, "layer %q: a %s layer cannot declare covers (only plan layers of polygons cover a territory)", l.Name, l.Level)
		case level[l.Covers] != Boundary:
			return p.errf(l.Line, "layer %q: covers %q is not a boundary layer of the set (boundary layers: %s)", l.Name, l.Covers, strings.Join(append(boundaries, "none")[:max(len(boundaries), 1)], ", "))
		}
	}
	return nil
}

// slashHint explains a path written with backslashes, which name one
// file on Linux and macOS: "" for other paths.
func slashHint(file string) string {
	if !strings.Contains(file, `\`) {
		return ""
	}
	return fmt.Sprintf(" (paths in %s use /, also on Windows: write %s)", ManifestName, strings.ReplaceAll(file, `\`, "/"))
}

// isGeoJSON reports whether a parsed document is a GeoJSON object (JSON is
// YAML): a "type" of FeatureCollection, Feature or a geometry, or a
// "features" member.
func isGeoJSON(root *yaml.Node) bool {
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i].Value, root.Content[i+1]
		if k == "features" {
			return true
		}
		if k == "type" && v.Kind == yaml.ScalarNode {
			switch v.Value {
			case "FeatureCollection", "Feature", "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon", "GeometryCollection":
				return true
			}
		}
	}
	return false
}

type manifestParser struct{ file string }

func (p *manifestParser) errf(line int, format string, args ...any) error {
	return &ManifestError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

// wrap is errf for a cause that callers may test for (ErrOutside): the
// message ends with it and the error unwraps to it.
func (p *manifestParser) wrap(line int, err error, format string, args ...any) error {
	return &ManifestError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...) + ": " + err.Error(), Err: err}
}

func (p *manifestParser) mapping(n *yaml.Node, fn func(key string, k, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errf(n.Line, "expected a mapping")
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if seen[k.Value] {
			return p.errf(k.Line, "duplicate key %q", k.Value)
		}
		seen[k.Value] = true
		if err := fn(k.Value, k, v); err != nil {
			return err
		}
	}
	return nil
}

func (p *manifestParser) str(v *yaml.Node, dst *string) error {
	if v.Kind != yaml.ScalarNode {
		return p.errf(v.Line, "expected a single value")
	}
	*dst = v.Value
	return nil
}

// Years a manifest (asof, horizon) or --asof may give.
const (
	MinYear = 1900
	MaxYear = 2200
)

func (p *manifestParser) year(v *yaml.Node, dst *int) error {
	if v.Kind != yaml.ScalarNode {
		return p.errf(v.Line, "expected a year (%d–%d)", MinYear, MaxYear)
	}
	y, err := strconv.Atoi(v.Value)
	if err != nil || y < MinYear || y > MaxYear {
		return p.errf(v.Line, "%q is not a year (want a whole year %d–%d)", v.Value, MinYear, MaxYear)
	}
	*dst = y
	return nil
}

// Setting is a tolerance a manifest may set under settings:, with the
// range it must lie in.
type Setting struct {
	Name     string
	Min, Max float64
	Unit     string // "m" or "years"
	Integer  bool
}

// Range says what values the setting takes, for messages.
func (s Setting) Range() string {
	kind := "a number"
	if s.Integer {
		kind = "a whole number"
	}
	return fmt.Sprintf("%s from %g to %g %s", kind, s.Min, s.Max, s.Unit)
}

func (p *manifestParser) settings(v *yaml.Node, m *Manifest, ruleSettings func(string) ([]Setting, error)) error {
	m.Settings = map[string]float64{}
	var known []Setting
	if ruleSettings != nil {
		var err error
		if known, err = ruleSettings(m.RulesPath); err != nil {
			return p.errf(v.Line, "settings: %v", err)
		}
	}
	return p.mapping(v, func(key string, k, val *yaml.Node) error {
		i := slices.IndexFunc(known, func(s Setting) bool { return s.Name == key })
		if i < 0 {
			if key == "min_area_m2" {
				return p.errf(k.Line, "min_area_m2 is not a manifest setting: give --min-area M2 to check, or min_area_m2 on a rule of a rules file (rules: in plancheck.yaml)")
			}
			if len(known) == 0 {
				return p.errf(k.Line, "unknown setting %q: no rule of the set reads a setting", key)
			}
			names := make([]string, len(known))
			for j, s := range known {
				names[j] = s.Name
			}
			return p.errf(k.Line, "unknown setting %q: no rule of the set reads it (want %s)", key, strings.Join(names, ", "))
		}
		s := known[i]
		if val.Kind != yaml.ScalarNode {
			return p.errf(val.Line, "setting %s must be %s", key, s.Range())
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(val.Value), 64)
		if err != nil || math.IsNaN(f) || f < s.Min || f > s.Max || (s.Integer && f != math.Trunc(f)) {
			return p.errf(val.Line, "setting %s: %q is not %s", key, val.Value, s.Range())
		}
		m.Settings[key] = f
		return nil
	})
}

func (p *manifestParser) layer(n *yaml.Node, dir string, opts ManifestOptions) (LayerSpec, error) {
	spec := LayerSpec{Line: n.Line, CRS: geo.WGS84}
	var sawLevel, sawFile bool
	var sourceLine, tableLine, queryLine int
	err := p.mapping(n, func(key string, k, v *yaml.Node) error {
		switch key {
		case "name":
			if err := p.str(v, &spec.Name); err != nil {
				return err
			}
			if !layerNameRE.MatchString(spec.Name) {
				return p.errf(v.Line, "layer name %q must match [a-z0-9-] (lowercase letters, digits, hyphens)", spec.Name)
			}
		case "level":
			sawLevel = true
			var s string
			if err := p.str(v, &s); err != nil {
				return err
			}
			l, err := ParseLevel(s)
			if err != nil {
				return p.errf(v.Line, "%s", strings.TrimPrefix(err.Error(), "planning: "))
			}
			spec.Level = l
		case "file":
			sawFile = true
			if err := p.str(v, &spec.File); err != nil {
				return err
			}
			rp, err := resolveInside(dir, spec.File, opts.AllowOutside)
			if err != nil {
				return p.wrap(v.Line, err, "file %q", spec.File)
			}
			spec.Path = rp
		case "horizon":
			spec.HasHorizon = true
			return p.mapping(v, func(hk string, k, hv *yaml.Node) error {
				switch hk {
				case "base":
					return p.year(hv, &spec.Horizon.Base)
				case "target":
					return p.year(hv, &spec.Horizon.Target)
				}
				return p.errf(k.Line, "unknown key %q in horizon (want base, target)", hk)
			})
		case "crs":
			var s string
			if err := p.str(v, &s); err != nil {
				return err
			}
			c, err := geo.ParseCRS(s)
			if err != nil {
				return p.errf(v.Line, "%s", strings.TrimPrefix(err.Error(), "geo: "))
			}
			spec.CRS, spec.CRSDeclared = c, true
		case "fields":
			return p.mapping(v, func(fk string, k, fv *yaml.Node) error {
				if spec.FieldLines == nil {
					spec.FieldLines = map[string]int{}
				}
				spec.FieldLines[fk] = fv.Line
				dst := map[string]*string{"id": &spec.Fields.ID, "class": &spec.Fields.Class, "start": &spec.Fields.Start,
					"end": &spec.Fields.End, "width": &spec.Fields.Width, "name": &spec.Fields.Name, "code": &spec.Fields.Code,
					"parent": &spec.Fields.Parent, "grade": &spec.Fields.Grade}[fk]
				if dst == nil {
					return p.errf(k.Line, "unknown key %q in fields (want id, class, start, end, width, name, code, parent, grade)", fk)
				}
				return p.str(fv, dst)
			})
		case "classification":
			if err := p.str(v, &spec.Classification); err != nil {
				return err
			}
		case "city":
			spec.CityLine = v.Line
			if err := p.str(v, &spec.City); err != nil {
				return err
			}
		case "source":
			sourceLine = v.Line
			if err := p.str(v, &spec.Source); err != nil {
				return err
			}
			if err := checkSourceURL(spec.Source); err != nil {
				return p.errf(v.Line, "source: %v", err)
			}
		case "table":
			tableLine = v.Line
			if err := p.str(v, &spec.Table); err != nil {
				return err
			}
			if strings.TrimSpace(spec.Table) == "" {
				return p.errf(v.Line, "table is empty")
			}
		case "query":
			queryLine = v.Line
			if err := p.str(v, &spec.Query); err != nil {
				return err
			}
			if strings.TrimSpace(spec.Query) == "" {
				return p.errf(v.Line, "query is empty")
			}
		case "covers":
			if err := p.str(v, &spec.Covers); err != nil {
				return err
			}
		case "covers_codes":
			if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
				return p.errf(v.Line, "covers_codes must be a list of boundary codes")
			}
			for _, it := range v.Content {
				var code string
				if err := p.str(it, &code); err != nil {
					return err
				}
				spec.CoversCodes = append(spec.CoversCodes, code)
			}
		default:
			return p.errf(k.Line, "unknown key %q in layer (want name, level, file, source, table, query, horizon, crs, fields, classification, city, covers, covers_codes)", key)
		}
		return nil
	})
	if err != nil {
		return spec, err
	}
	switch {
	case spec.Name == "":
		return spec, p.errf(n.Line, "layer has no name")
	case !sawLevel:
		return spec, p.errf(n.Line, "layer %q has no level", spec.Name)
	case sawFile && spec.Source != "":
		return spec, p.errf(sourceLine, "layer %q has both file and source; give one", spec.Name)
	case !sawFile && spec.Source == "":
		return spec, p.errf(n.Line, "layer %q has no file (or source: postgresql://…)", spec.Name)
	case spec.Source != "" && (spec.Table == "") == (spec.Query == ""):
		return spec, p.errf(sourceLine, "layer %q: a source needs exactly one of table: and query:", spec.Name)
	case spec.Query != "" && spec.Source == "":
		return spec, p.errf(queryLine, "layer %q: query: reads from a database source (source: postgresql://…), not from a file", spec.Name)
	case spec.Table != "" && spec.Source == "" && !isGeoPackage(spec.Path):
		return spec, p.errf(tableLine, "layer %q: table: picks a table of a GeoPackage (.gpkg) or of a source, not of %s", spec.Name, spec.File)
	}
	if spec.Source != "" {
		// The source, as written (it holds no password), stands for the
		// file in messages and reports.
		spec.File = spec.Source
		return spec, p.checkHorizonAndTable(n, spec)
	}
	if err := p.checkHorizonAndTable(n, spec); err != nil {
		return spec, err
	}
	if _, err := os.Stat(spec.Path); err != nil {
		return spec, p.errf(n.Line, "layer %q: file %s does not exist%s", spec.Name, spec.File, slashHint(spec.File))
	}
	if kind := geo.NotRegular(spec.Path); kind != "" {
		return spec, p.errf(n.Line, "layer %q: file %s is %s, not a regular file", spec.Name, spec.File, kind)
	}
	return spec, nil
}

func (p *manifestParser) checkHorizonAndTable(n *yaml.Node, spec LayerSpec) error {
	if spec.HasHorizon && spec.Horizon.Base > 0 && spec.Horizon.Target > 0 && spec.Horizon.Base > spec.Horizon.Target {
		return p.errf(n.Line, "layer %q: horizon base %d is after target %d", spec.Name, spec.Horizon.Base, spec.Horizon.Target)
	}
	if spec.Classification != "" && !ValidTable(spec.Level, spec.Classification) {
		return p.errf(n.Line, "layer %q: unknown classification %q for %s (want one of %s)", spec.Name, spec.Classification, spec.Level, strings.Join(KnownTables(spec.Level), ", "))
	}
	return nil
}

// checkSourceURL accepts a PostgreSQL URL without a password: a manifest
// is committed and shared, so the password comes from PGPASSWORD or
// ~/.pgpass, never from the file.
func checkSourceURL(source string) error {
	u, err := url.Parse(source)
	if err != nil {
		return fmt.Errorf("%q is not a URL", source)
	}
	if u.Scheme != "postgresql" && u.Scheme != "postgres" {
		return fmt.Errorf("%q: only postgresql:// sources are read (a file is given with file:)", source)
	}
	if _, has := u.User.Password(); has || u.Query().Has("password") {
		return errors.New("the URL holds a password; remove it and give it in the PGPASSWORD environment variable (or ~/.pgpass)")
	}
	return nil
}

// resolveInside joins rel to dir and refuses results outside dir, through
// ".." or an escaping symlink, unless allowOutside.
func resolveInside(dir, rel string, allowOutside bool) (string, error) {
	if rel == "" {
		return "", errors.New("empty path")
	}
	if filepath.IsAbs(rel) || filepath.VolumeName(rel) != "" {
		if !allowOutside {
			return "", fmt.Errorf("%w: absolute paths are refused", ErrOutside)
		}
		return rel, nil
	}
	joined := filepath.Join(dir, filepath.FromSlash(rel))
	if allowOutside {
		return joined, nil
	}
	if !within(dir, joined) {
		return "", fmt.Errorf("%w: %q leaves the manifest's directory", ErrOutside, rel)
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return joined, nil
	}
	if real, err := filepath.EvalSymlinks(joined); err == nil && !within(realDir, real) {
		return "", fmt.Errorf("%w: %q is a symlink to %s", ErrOutside, rel, real)
	}
	return joined, nil
}

func within(dir, p string) bool {
	r, err := filepath.Rel(filepath.Clean(dir), filepath.Clean(p))
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r)
}

var yamlLineRE = regexp.MustCompile(`line (\d+)`)

func yamlLine(err error) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}
