package planning

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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
	Line        int // line of the entry in the manifest
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
}

// ManifestError is a problem in the manifest, with its line.
type ManifestError struct {
	File string
	Line int
	Msg  string
}

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
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, p.errf(yamlLine(err), "not valid YAML: %v", yamlMessage(err))
	}
	if len(doc.Content) == 0 {
		return nil, p.errf(0, "empty manifest")
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root.Line, "manifest must be a mapping with name, layers, …")
	}
	m := &Manifest{Path: path, Dir: filepath.Dir(path), Rules: "default"}
	sawLayers := false
	rulesLine, decisionsLine := 0, 0
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
			return p.settings(v, m)
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
			return nil, p.errf(rulesLine, "rules %q: %v", m.Rules, err)
		}
		if kind := geo.NotRegular(rp); kind != "" {
			return nil, p.errf(rulesLine, "rules %q is %s, not a regular file", m.Rules, kind)
		}
		m.RulesPath = rp
	}
	if m.Decisions != "" {
		dp, err := resolveInside(m.Dir, m.Decisions, opts.AllowOutside)
		if err != nil {
			return nil, p.errf(decisionsLine, "decisions %q: %v", m.Decisions, err)
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

type manifestParser struct{ file string }

func (p *manifestParser) errf(line int, format string, args ...any) error {
	return &ManifestError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)}
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

func (p *manifestParser) year(v *yaml.Node, dst *int) error {
	if v.Kind != yaml.ScalarNode {
		return p.errf(v.Line, "expected a year")
	}
	y, err := strconv.Atoi(v.Value)
	if err != nil || y < 1900 || y > 2200 {
		return p.errf(v.Line, "%q is not a year", v.Value)
	}
	*dst = y
	return nil
}

func (p *manifestParser) settings(v *yaml.Node, m *Manifest) error {
	m.Settings = map[string]float64{}
	return p.mapping(v, func(key string, k, val *yaml.Node) error {
		if !knownSetting(key) {
			return p.errf(k.Line, "unknown setting %q (want %s)", key, strings.Join(SettingNames, ", "))
		}
		f, err := strconv.ParseFloat(val.Value, 64)
		if err != nil || f < 0 {
			return p.errf(val.Line, "setting %s: %q is not a non-negative number", key, val.Value)
		}
		m.Settings[key] = f
		return nil
	})
}

// SettingNames lists the tolerances a manifest may set.
var SettingNames = []string{"boundary_reach_m", "join_tolerance_m", "start_year_gap", "min_area_m2"}

func knownSetting(s string) bool {
	for _, n := range SettingNames {
		if n == s {
			return true
		}
	}
	return false
}

func (p *manifestParser) layer(n *yaml.Node, dir string, opts ManifestOptions) (LayerSpec, error) {
	spec := LayerSpec{Line: n.Line, CRS: geo.WGS84}
	var sawLevel, sawFile bool
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
				return p.errf(v.Line, "file %q: %v", spec.File, err)
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
			if err := p.str(v, &spec.City); err != nil {
				return err
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
			return p.errf(k.Line, "unknown key %q in layer (want name, level, file, horizon, crs, fields, classification, city, covers, covers_codes)", key)
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
	case !sawFile:
		return spec, p.errf(n.Line, "layer %q has no file", spec.Name)
	}
	if spec.HasHorizon && spec.Horizon.Base > 0 && spec.Horizon.Target > 0 && spec.Horizon.Base > spec.Horizon.Target {
		return spec, p.errf(n.Line, "layer %q: horizon base %d is after target %d", spec.Name, spec.Horizon.Base, spec.Horizon.Target)
	}
	if spec.Classification != "" && !ValidTable(spec.Level, spec.Classification) {
		return spec, p.errf(n.Line, "layer %q: unknown classification %q for %s (want one of %s)", spec.Name, spec.Classification, spec.Level, strings.Join(KnownTables(spec.Level), ", "))
	}
	if _, err := os.Stat(spec.Path); err != nil {
		return spec, p.errf(n.Line, "layer %q: file %s does not exist", spec.Name, spec.File)
	}
	if kind := geo.NotRegular(spec.Path); kind != "" {
		return spec, p.errf(n.Line, "layer %q: file %s is %s, not a regular file", spec.Name, spec.File, kind)
	}
	return spec, nil
}

// resolveInside joins rel to dir and refuses results outside dir, through
// ".." or an escaping symlink, unless allowOutside.
func resolveInside(dir, rel string, allowOutside bool) (string, error) {
	if rel == "" {
		return "", errors.New("empty path")
	}
	if filepath.IsAbs(rel) || filepath.VolumeName(rel) != "" {
		if !allowOutside {
			return "", fmt.Errorf("%w: absolute paths are refused (use --allow-outside to permit)", ErrOutside)
		}
		return rel, nil
	}
	joined := filepath.Join(dir, filepath.FromSlash(rel))
	if allowOutside {
		return joined, nil
	}
	if !within(dir, joined) {
		return "", fmt.Errorf("%w: %q leaves the manifest's directory (use --allow-outside to permit)", ErrOutside, rel)
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return joined, nil
	}
	if real, err := filepath.EvalSymlinks(joined); err == nil && !within(realDir, real) {
		return "", fmt.Errorf("%w: %q is a symlink to %s (use --allow-outside to permit)", ErrOutside, rel, real)
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

func yamlMessage(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}
