package planning

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/geo/geojson"
)

// Feature is a plan feature with its attributes turned into typed fields
// once, so rules never read raw properties. It is kept small: a city's
// land-use plan has a million of them. LoadLayer makes them; a Feature
// built by hand must set Class and Labels (NewFeature does), which the
// rules read without checking for nil.
type Feature struct {
	Geometry orb.Geometry // lon/lat; nil when null or unreadable
	ID       string
	RawClass string
	// Class is the class RawClass resolves to, shared by every feature of
	// that class; an empty Class (never nil) when HasClass is false.
	Class *Class
	// WidthM is the corridor width of an infrastructure line: width_m, or
	// the class default.
	WidthM float64
	// Labels are never nil; features without any share one empty value,
	// so they are read-only.
	*Labels
	Index    int
	Line     int
	Start    int
	End      int
	HasClass bool // RawClass resolved to a known class
	HasStart bool
	HasEnd   bool
	// Invalid features have a geometry-invalid finding and take part in no
	// other rule.
	Invalid bool
}

// Labels are the descriptive attributes few features carry.
type Labels struct {
	Name   string // boundary
	Code   string // boundary
	Parent string // boundary
	Grade  string // infrastructure
}

var (
	noClass  = &Class{}
	noLabels = &Labels{}
)

// NewFeature returns a feature with no class and no labels, ready for the
// rules; set its other fields as needed.
func NewFeature(index int, id string, g orb.Geometry) Feature {
	return Feature{Index: index, ID: id, Geometry: g, Class: noClass, Labels: noLabels}
}

// IsLine reports whether the feature is drawn as a line (an
// infrastructure corridor centre line).
func (f *Feature) IsLine() bool {
	switch f.Geometry.(type) {
	case orb.LineString, orb.MultiLineString:
		return true
	}
	return false
}

// IsPolygon reports whether the feature is polygonal.
func (f *Feature) IsPolygon() bool {
	switch f.Geometry.(type) {
	case orb.Polygon, orb.MultiPolygon:
		return true
	}
	return false
}

// Layer is a loaded plan layer.
type Layer struct {
	LayerSpec
	// Data is the file as read: CRS, problems, checksum and size. Its
	// Features are nil: the reader hands each to LoadLayer to type.
	Data     *geo.Layer
	Features []Feature
	// fieldAbsent is set when a field mapped under fields: is a property
	// of no feature: LoadPlanSet refuses the set (but for a tile).
	fieldAbsent *fieldAbsentError
}

// Issue is a problem found while loading: a feature or layer that breaks
// the input rules (structure, geometry, attributes, CRS).
type Issue struct {
	Check   Check // what kind of problem; rules reports each kind under a rule
	Error   bool  // error (else warning)
	Layer   string
	File    string
	Feature int // index in the layer, -1 for the layer itself
	ID      string
	Class   string
	Line    int
	// Text says what is wrong and where, in English and Chinese.
	geo.Text
	At *orb.Point
	// Geometry is the feature's geometry where it could be read.
	Geometry orb.Geometry
}

// Check is the kind of an input problem. Planning says what is wrong with
// the input; package rules decides the rule (name, severity, doc) each
// kind is reported under.
type Check int

// The kinds of input problems.
const (
	CheckGeometryInvalid Check = iota + 1 // a geometry no rule can use
	CheckFeatureInvalid                   // a feature that breaks GeoJSON's structure
	CheckAttribute                        // a class, year, width or id missing or wrong
	CheckDuplicateID                      // an id used twice in a layer
	CheckNullGeometry                     // a feature without a geometry
	CheckWinding                          // rings against the right-hand rule
	CheckCRS                              // coordinates that do not fit the declared CRS
	CheckDisjoint                         // a layer that meets no other layer
	CheckLayerEmpty                       // a layer without features
	CheckSameFile                         // two layers reading one file
	CheckFieldMissing                     // a fields: mapping no feature has
	// CheckSourceNote: what a source other than GeoJSON reports about how
	// it was read (a Shapefile's code page guessed, deleted records
	// skipped).
	CheckSourceNote
)

var checkNames = [...]string{"", "GeometryInvalid", "FeatureInvalid", "Attribute", "DuplicateID", "NullGeometry",
	"Winding", "CRS", "Disjoint", "LayerEmpty", "SameFile", "FieldMissing", "SourceNote"}

// String names the kind as its constant does (without "Check"), for
// tests and logs; reports use the rule's name.
func (c Check) String() string {
	if c > 0 && int(c) < len(checkNames) {
		return checkNames[c]
	}
	return "Check(" + strconv.Itoa(int(c)) + ")"
}

// PlanSet is a manifest with its layers loaded.
type PlanSet struct {
	Manifest *Manifest
	Asof     int
	Layers   []*Layer
	Issues   []Issue
}

// Layer returns the layer with the given name, or nil.
func (s *PlanSet) Layer(name string) *Layer {
	for _, l := range s.Layers {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// LayersAt returns the layers of a level, in manifest order.
func (s *PlanSet) LayersAt(level Level) []*Layer {
	var out []*Layer
	for _, l := range s.Layers {
		if l.Level == level {
			out = append(out, l)
		}
	}
	return out
}

// GeometryTypes lists the GeoJSON types a level's layer may hold.
func GeometryTypes(level Level) []string {
	if level == "" {
		return nil
	}
	if level == Infrastructure {
		return []string{"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"}
	}
	return []string{"Polygon", "MultiPolygon"}
}

// LoadPlanSet reads the manifest and every layer. defaultAsof is used when
// the manifest gives no asof (the caller passes the current year).
func LoadPlanSet(ctx context.Context, manifestPath string, opts ManifestOptions, defaultAsof int) (*PlanSet, error) {
	m, err := ReadManifest(manifestPath, opts)
	if err != nil {
		return nil, err
	}
	set := &PlanSet{Manifest: m, Asof: defaultAsof}
	if m.HasAsof {
		set.Asof = m.Asof
	}
	// Layers are read concurrently (one file per goroutine, at most
	// GOMAXPROCS at once) and kept in manifest order.
	type loaded struct {
		layer  *Layer
		issues []Issue
		err    error
	}
	results := make([]loaded, len(m.Layers))
	budget := newLoadBudget(runtime.GOMAXPROCS(0), concurrentLoadBytes)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i, spec := range m.Layers {
		spec.MaxVertices, spec.MaxBytes = opts.MaxVertices, opts.MaxBytes
		wg.Add(1)
		go func() {
			defer wg.Done()
			size := int64(0)
			if fi, err := os.Stat(spec.Path); err == nil && spec.Path != "" {
				size = fi.Size()
			}
			budget.acquire(size)
			defer budget.release(size)
			l, issues, err := LoadLayer(ctx, spec)
			results[i] = loaded{l, issues, err}
			if opts.Progress != nil {
				mu.Lock()
				done++
				opts.Progress(done, len(m.Layers), spec.Name)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		if fe := r.layer.fieldAbsent; fe != nil && !m.IsTile {
			return nil, &ManifestError{File: m.Path, Line: fe.line, Msg: fe.Error()}
		}
		set.Layers = append(set.Layers, r.layer)
		set.Issues = append(set.Issues, r.issues...)
	}
	if err := checkCities(m, set.Layers); err != nil {
		return nil, err
	}
	set.Issues = append(set.Issues, sameFiles(m, set.Layers)...)
	set.Issues = append(set.Issues, disjointLayers(set.Layers)...)
	set.Issues = append(set.Issues, shiftSuspects(set.Layers, filepath.Base(m.Path))...)
	return set, nil
}

// File is the manifest's name as findings give it: relative to the plan
// set's directory, slash-separated.
func (m *Manifest) File() string {
	return filepath.ToSlash(filepath.Base(m.Path))
}

// checkCities: an infrastructure layer's city: must be the code (or, for
// boundary features without a code, the name) of a city of the set: a
// boundary feature whose parent is not in the set, as the cross-city
// rules count cities. Otherwise its cross-city checks would silently run
// for no city (an unknown code) or for none at all (a district of a city
// in the set, which the rules fold into its city).
func checkCities(m *Manifest, layers []*Layer) error {
	type place struct{ code, name, parent string }
	places := map[string]place{} // key (code, else name) -> first feature
	var keys []string
	names := map[string]string{} // name -> key, for hints
	for _, l := range layers {
		if l.Level != Boundary {
			continue
		}
		for i := range l.Features {
			f := &l.Features[i]
			key := f.Code
			if key == "" {
				key = f.Name
			}
			if key == "" {
				continue
			}
			if _, seen := places[key]; seen {
				continue
			}
			places[key] = place{code: f.Code, name: f.Name, parent: f.Parent}
			keys = append(keys, key)
			if f.Code != "" && f.Name != "" {
				if _, ok := names[f.Name]; !ok {
					names[f.Name] = f.Code
				}
			}
		}
	}
	label := func(key string) string {
		if p := places[key]; p.code != "" && p.name != "" {
			return p.code + " " + p.name
		}
		return key
	}
	isCity := func(key string) bool {
		p, ok := places[key]
		if !ok {
			return false
		}
		_, parentIn := places[p.parent]
		return p.parent == "" || !parentIn
	}
	var cities []string
	for _, k := range keys {
		if isCity(k) {
			cities = append(cities, label(k))
		}
	}
	sort.Strings(cities)
	known := func() string {
		shown := cities
		if len(shown) > 20 {
			shown = append(shown[:20:20], fmt.Sprintf("… %d more", len(cities)-20))
		}
		return " (city codes of the set: " + strings.Join(shown, ", ") + ")"
	}
	for _, l := range layers {
		if l.City == "" || isCity(l.City) {
			continue
		}
		var msg string
		key := l.City
		if code, ok := names[key]; ok && code != key {
			key = code
		}
		switch {
		case len(keys) == 0:
			msg = fmt.Sprintf("layer %q: city %q is not a boundary code of the set (the set has no boundary layer with codes; add one, or leave city: out)", l.Name, l.City)
		case key != l.City && isCity(key):
			msg = fmt.Sprintf("layer %q: city %q is not a boundary code of the set; %s is the name of %s: write city: %q", l.Name, l.City, l.City, key, key) + known()
		case places[key].parent != "":
			// A district (or a name of one) whose city is in the set.
			p := places[key]
			city := p.parent
			for range len(places) { // a district of a district; parents may loop
				if isCity(city) {
					break
				}
				city = places[city].parent
			}
			what := label(key)
			if key == l.City && p.name != "" {
				what = p.name
			}
			msg = fmt.Sprintf("layer %q: city %q is %s, a part of %s; the cross-city rules compare the set's cities, not their parts", l.Name, l.City, what, label(p.parent))
			if isCity(city) {
				msg += fmt.Sprintf(": write city: %q", city)
			}
			msg += known()
		default:
			msg = fmt.Sprintf("layer %q: city %q is not a boundary code of the set", l.Name, l.City) + known()
		}
		return &ManifestError{File: m.Path, Line: l.CityLine, Msg: msg}
	}
	return nil
}

// sameFiles warns about layers that read the same file (or files with the
// same content) as an earlier layer: every finding between them would be
// doubled. A warning, not an error: a file may rightly serve two levels
// only in the rare set that means it, and the findings still show.
func sameFiles(m *Manifest, layers []*Layer) []Issue {
	var out []Issue
	for i, l := range layers {
		for _, e := range layers[:i] {
			var what geo.Text
			switch {
			case l.Path != "" && l.Table == e.Table && samePath(l.Path, e.Path):
				what = geo.Textf("the same file as layer %s (line %d)", "与图层 %s（第 %d 行）相同的文件", e.Name, e.Line)
			case l.Data != nil && e.Data != nil && l.Data.SHA256 != "" && l.Data.SHA256 == e.Data.SHA256 && len(l.Features) > 0:
				what = geo.Textf("a file with the same content as layer %s (line %d): %s and %s", "与图层 %s（第 %d 行）内容相同的文件：%s 和 %s", e.Name, e.Line, l.File, e.File)
			default:
				continue
			}
			out = append(out, Issue{Check: CheckSameFile, Layer: l.Name, File: m.File(), Feature: -1, Line: l.Line,
				Text: geo.Textf("layer %s reads %s; findings between them are doubled — list the file once", "图层 %s 读取的是%s；两者之间的冲突将重复报告——请只列一次", l.Name, what)})
			break
		}
	}
	return out
}

func samePath(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ra, errA := filepath.EvalSymlinks(a)
	rb, errB := filepath.EvalSymlinks(b)
	if errA == nil && errB == nil && ra == rb {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// concurrentLoadBytes bounds the GeoJSON read at once by concurrent layer
// loads. Each load already parses on every core; running several at once
// only overlaps their scanning, and a layer being typed briefly needs
// twice the memory it keeps, so two city-scale layers load one after the
// other while small ones still load together.
const concurrentLoadBytes = 256 << 20

// loadBudget admits layer loads while at most n run and their files total
// at most bytes; a file larger than that runs alone.
type loadBudget struct {
	mu      sync.Mutex
	cond    *sync.Cond
	n       int
	bytes   int64
	running int
	inUse   int64
}

func newLoadBudget(n int, bytes int64) *loadBudget {
	b := &loadBudget{n: n, bytes: bytes}
	b.cond = sync.NewCond(&b.mu)
	return b
}

func (b *loadBudget) acquire(size int64) {
	b.mu.Lock()
	for b.running > 0 && (b.running >= b.n || b.inUse+size > b.bytes) {
		b.cond.Wait()
	}
	b.running++
	b.inUse += size
	b.mu.Unlock()
}

func (b *loadBudget) release(size int64) {
	b.mu.Lock()
	b.running--
	b.inUse -= size
	b.mu.Unlock()
	b.cond.Broadcast()
}

// LoadLayer reads one layer file and types its features.
func LoadLayer(ctx context.Context, spec LayerSpec) (*Layer, []Issue, error) {
	// Property names of the features that lack a mapped field, for the
	// error when no feature has it (a union: the same whatever the order
	// the reader's workers see features in).
	var (
		seenMu   sync.Mutex
		seenName = map[string]bool{}
	)
	opts := geo.ReadOptions{GeometryTypes: GeometryTypes(spec.Level), LayerKind: string(spec.Level), MaxVertices: spec.MaxVertices, MaxBytes: spec.MaxBytes,
		Attributes: func(props geo.Properties) any {
			a := readAttributes(spec, props)
			if a.extra != nil && len(a.extra.missing) > 0 {
				seenMu.Lock()
				for _, n := range props.Names() {
					if len(seenName) < 200 {
						seenName[n] = true
					}
				}
				seenMu.Unlock()
			}
			return a
		}}
	if spec.Level == "" {
		// A bare file validated without --level: structure and geometry only.
		spec.Level, opts.LayerKind = "", "GeoJSON"
	}
	if spec.CRSDeclared {
		c := spec.CRS
		opts.CRS = &c
	}
	// Features are typed as the reader completes them; only the rare
	// attribute problems are kept for attributeIssues.
	l := &Layer{LayerSpec: spec}
	classes := map[string]resolvedClass{}
	var extras []*extraAttributes
	opts.Consume = func(n, i int, gf *geo.Feature) {
		if l.Features == nil {
			l.Features, extras = make([]Feature, n), make([]*extraAttributes, n)
		}
		// The reader typed every feature's properties with
		// readAttributes (ReadOptions.Attributes).
		a, _ := gf.Attributes.(*attributes)
		if a == nil {
			a = &attributes{}
		}
		l.Features[i] = typeFeature(spec, gf, a, classes)
		extras[i] = a.extra
	}
	var src *sourceRead
	if s := sourceFor(spec); s != nil {
		var err error
		if src, err = s.read(ctx, spec); err != nil {
			return nil, nil, err
		}
		opts.CRS = src.crs
	}
	var data *geo.Layer
	var err error
	if src != nil {
		data, err = geo.BuildLayer(ctx, spec.Path, src.n, src.record, opts)
	} else {
		data, err = geojson.ReadLayer(ctx, spec.Path, opts)
	}
	if err != nil {
		return nil, nil, err
	}
	if src != nil {
		data.SHA256 = src.sha256
	}
	spec.CRS = data.CRS
	l.LayerSpec, l.Data = spec, data
	if l.Features == nil {
		l.Features = []Feature{}
	}
	file := filepath.ToSlash(spec.File)
	if file == "" {
		file = filepath.ToSlash(spec.Path)
	}
	l.fieldAbsent = fieldsAbsent(spec, extras, seenName)
	var issues []Issue
	if len(l.Features) == 0 {
		issues = append(issues, Issue{Check: CheckLayerEmpty, Layer: spec.Name, File: file, Feature: -1,
			Text: geo.Textf("layer %s has no features; nothing of it is checked (is it the right file?)", "图层 %s 没有要素，未作任何检查（文件是否正确？）", spec.Name)})
	}
	windings := 0
	var firstWinding *Issue
	for _, p := range data.Problems {
		is := Issue{Layer: spec.Name, File: file, Feature: p.Feature, Line: p.Line, Text: p.Text, At: p.At}
		if p.Feature >= 0 {
			f := &l.Features[p.Feature]
			is.ID, is.Class, is.Geometry = f.ID, f.RawClass, f.Geometry
		}
		switch p.Kind {
		case geo.ProblemGeometry:
			is.Check, is.Error = CheckGeometryInvalid, true
			l.Features[p.Feature].Invalid = true
		case geo.ProblemFeature:
			is.Check, is.Error = CheckFeatureInvalid, true
		case geo.ProblemNullGeometry:
			is.Check = CheckNullGeometry
		case geo.ProblemWinding:
			windings++
			if firstWinding == nil {
				w := is
				firstWinding = &w
			}
			continue
		case geo.ProblemCRS:
			is.Check = CheckCRS
		}
		issues = append(issues, is)
	}
	if firstWinding != nil {
		// Whole layers drawn clockwise are common (shapefile exports); one
		// warning per layer keeps the report readable.
		w := *firstWinding
		w.Check = CheckWinding
		w.Feature, w.ID, w.Class, w.Geometry = -1, "", "", nil
		w.Text = geo.Textf("%d feature(s) have rings against the RFC 7946 right-hand rule; first: feature %s: %s", "%d 个要素的环方向不符合 RFC 7946 右手法则；第一个：要素 %s：%s",
			windings, l.Features[firstWinding.Feature].ID, firstWinding.Text)
		issues = append(issues, w)
	}
	if spec.Level != "" {
		issues = append(issues, attributeIssues(l, file, extras)...)
	}
	if src != nil {
		for _, n := range src.notes {
			n.Layer, n.File = spec.Name, file
			issues = append(issues, n)
		}
	}
	sort.SliceStable(issues, func(i, j int) bool { return issues[i].Feature < issues[j].Feature })
	return l, issues, nil
}

// resolvedClass is a layer's class value looked up once: the raw string
// kept by every feature of it, and the class it resolves to.
type resolvedClass struct {
	raw   string
	class *Class
	ok    bool
}

// attributes are the properties a feature is typed from, read on the
// GeoJSON reader's workers so that no property map outlives its parse.
// A million of them wait for typing at once, so what few features have
// sits behind a pointer.
type attributes struct {
	id       string // from the id field (Fields.ID, else "id")
	rawClass string
	width    float64 // > 0 when given and usable
	start    int32
	end      int32
	hasStart bool
	hasEnd   bool
	extra    *extraAttributes // nil when the feature has none of it
}

type extraAttributes struct {
	labels      *Labels    // nil when the feature has none
	yearProblem []geo.Text // start, then end year values that are no year
	widthBad    string     // description of an unusable width value
	missing     []string   // keys of mapped fields (fields: id, class, …) the feature lacks
}

func (a *attributes) more() *extraAttributes {
	if a.extra == nil {
		a.extra = &extraAttributes{}
	}
	return a.extra
}

// readAttributes types a feature's properties.
func readAttributes(spec LayerSpec, props geo.Properties) *attributes {
	prop := func(key string) any {
		v, _ := props.Get(key)
		return v
	}
	// text reads a property as text; most are JSON strings, read without
	// boxing them in an interface.
	text := func(key string) string {
		if s, ok := props.String(key); ok {
			return s
		}
		return propString(prop(key))
	}
	a := &attributes{}
	for _, m := range spec.Fields.mapped() {
		if !props.Has(m.prop) {
			x := a.more()
			x.missing = append(x.missing, m.key)
		}
	}
	a.id = text(spec.Fields.or(spec.Fields.ID, "id"))
	a.rawClass = strings.TrimSpace(text(spec.Fields.or(spec.Fields.Class, "class")))
	startKey, endKey := spec.Fields.or(spec.Fields.Start, "start_year"), spec.Fields.or(spec.Fields.End, "end_year")
	var start, end int
	startV, endV := prop(startKey), prop(endKey)
	start, a.hasStart = propYear(startV)
	end, a.hasEnd = propYear(endV)
	a.start, a.end = int32(start), int32(end)
	for _, y := range [2]struct {
		key string
		v   any
	}{{startKey, startV}, {endKey, endV}} {
		if y.v != nil {
			if _, ok := propYear(y.v); !ok {
				x := a.more()
				x.yearProblem = append(x.yearProblem, geo.Textf("%q is %s, not an integer year", "%q 为 %s，不是整数年份", y.key, describe(y.v)))
			}
		}
	}
	widthKey := spec.Fields.or(spec.Fields.Width, "width_m")
	if v := prop(widthKey); v != nil {
		if w, ok := propNumber(v); ok && w > 0 {
			a.width = w
		} else {
			a.more().widthBad = describe(v)
		}
	}
	labels := Labels{
		Name:   text(spec.Fields.or(spec.Fields.Name, "name")),
		Code:   text(spec.Fields.or(spec.Fields.Code, "code")),
		Parent: text(spec.Fields.or(spec.Fields.Parent, "parent")),
		Grade:  text(spec.Fields.or(spec.Fields.Grade, "grade")),
	}
	if labels != (Labels{}) {
		a.more().labels = &labels
	}
	return a
}

func typeFeature(spec LayerSpec, gf *geo.Feature, a *attributes, classes map[string]resolvedClass) Feature {
	f := Feature{Index: gf.Index, Line: gf.Line, Geometry: gf.Geometry, Invalid: gf.Invalid, Class: noClass, Labels: noLabels}
	f.ID = a.id
	if spec.Fields.ID == "" && gf.HasID {
		f.ID = gf.ID
	}
	if f.ID == "" {
		f.ID = "#" + strconv.Itoa(gf.Index)
	}
	if a.rawClass != "" {
		rc, seen := classes[a.rawClass]
		if !seen {
			rc = resolvedClass{raw: a.rawClass, class: noClass}
			if c, err := LookupClass(spec.Level, spec.Classification, a.rawClass); err == nil {
				rc.class, rc.ok = &c, true
			}
			classes[a.rawClass] = rc
		}
		f.RawClass, f.Class, f.HasClass = rc.raw, rc.class, rc.ok
	}
	f.Start, f.HasStart, f.End, f.HasEnd = int(a.start), a.hasStart, int(a.end), a.hasEnd
	if a.width > 0 {
		f.WidthM = a.width
	} else if f.HasClass {
		f.WidthM = f.Class.DefaultWidthM
	}
	if a.extra != nil && a.extra.labels != nil {
		f.Labels = a.extra.labels
	}
	return f
}

// attributeIssues checks class, years, width and id uniqueness.
func attributeIssues(l *Layer, file string, extras []*extraAttributes) []Issue {
	var out []Issue
	add := func(f *Feature, check Check, msg geo.Text) {
		out = append(out, Issue{Check: check, Error: true, Layer: l.Name, File: file, Feature: f.Index, ID: f.ID, Class: f.RawClass, Line: f.Line, Text: msg, Geometry: f.Geometry})
	}
	classKey := l.Fields.or(l.Fields.Class, "class")
	widthKey := l.Fields.or(l.Fields.Width, "width_m")
	ids := make(map[string]int, len(l.Features))
	for i := range l.Features {
		f := &l.Features[i]
		if first, dup := ids[f.ID]; dup {
			add(f, CheckDuplicateID, geo.Textf("feature id %q is used again (first at line %d); ids must be unique within a layer", "要素编号 %q 再次出现（首次在第 %d 行）；同一图层内编号必须唯一", f.ID, l.Features[first].Line))
		} else {
			ids[f.ID] = i
		}
		if l.Level != Boundary {
			switch {
			case f.RawClass == "":
				add(f, CheckAttribute, geo.Textf("feature has no %q property (its %s class)", "要素没有 %q 属性（其 %s 分类）", classKey, l.Level))
			case !f.HasClass:
				_, err := LookupClass(l.Level, l.Classification, f.RawClass)
				var ue *UnknownClassError
				if errors.As(err, &ue) {
					add(f, CheckAttribute, ue.Text())
				} else {
					add(f, CheckAttribute, geo.Same(strings.TrimPrefix(err.Error(), "planning: ")))
				}
			}
		} else if f.Name == "" && f.Code == "" {
			add(f, CheckAttribute, geo.Textf("boundary feature has neither %q nor %q", "边界要素既没有 %q 也没有 %q", l.Fields.or(l.Fields.Name, "name"), l.Fields.or(l.Fields.Code, "code")))
		}
		x := extras[i]
		if x == nil {
			x = &extraAttributes{}
		}
		for _, key := range x.missing {
			if key == "class" {
				continue // the missing class is an attribute-invalid error above
			}
			prop := l.Fields.prop(key)
			is := Issue{Check: CheckFieldMissing, Layer: l.Name, File: file, Feature: f.Index, ID: f.ID, Class: f.RawClass, Line: f.Line, Geometry: f.Geometry,
				Text: geo.Textf("feature has no %q property, which fields.%s of layer %s maps", "要素没有图层 %[3]s 的 fields.%[2]s 所映射的 %[1]q 属性", prop, key, l.Name)}
			if key == "id" {
				is.Text = geo.Textf("%s; it is named %s by its position, which changes when features are added or removed", "%s；按其位置命名为 %s，增删要素时会改变", is.Text, f.ID)
			}
			out = append(out, is)
		}
		for _, msg := range x.yearProblem {
			add(f, CheckAttribute, msg)
		}
		if f.HasStart && f.HasEnd && f.Start > f.End {
			add(f, CheckAttribute, geo.Textf("start year %d is after end year %d", "起始年份 %d 晚于结束年份 %d", f.Start, f.End))
		}
		if x.widthBad != "" {
			add(f, CheckAttribute, geo.Textf("%q is %s; a corridor width must be a number of metres > 0", "%q 为 %s；廊道宽度必须是大于 0 的米数", widthKey, x.widthBad))
		}
		if l.Level == Infrastructure && f.IsLine() && f.WidthM <= 0 && f.HasClass {
			add(f, CheckAttribute, geo.Textf("line of class %s has no corridor width; give %q in metres", "%s 类线要素没有廊道宽度；请以米为单位给出 %q", f.Class.Code, widthKey))
		}
	}
	return out
}

// fieldAbsentError: a field mapped under fields: is a property of no
// feature of the layer: the mapping is wrong, not the features.
type fieldAbsentError struct {
	layer, key, prop string
	line             int
	names            []string // property names the features have
}

func (e *fieldAbsentError) Error() string {
	msg := fmt.Sprintf("layer %q: fields.%s names property %q, which no feature of the layer has", e.layer, e.key, e.prop)
	if near := nearestName(e.prop, e.names); near != "" {
		msg += fmt.Sprintf("; did you mean %q?", near)
	}
	if len(e.names) > 0 {
		msg += " (properties of the features: " + strings.Join(e.names, ", ") + ")"
	}
	return msg
}

// fieldsAbsent returns a *fieldAbsentError for the first mapped field no
// feature has, else nil; a layer without features has no such error (it
// is a layer-empty warning).
func fieldsAbsent(spec LayerSpec, extras []*extraAttributes, names map[string]bool) *fieldAbsentError {
	if len(extras) == 0 {
		return nil
	}
	for _, m := range spec.Fields.mapped() {
		all := true
		for _, x := range extras {
			if x == nil || !slices.Contains(x.missing, m.key) {
				all = false
				break
			}
		}
		if all {
			sorted := make([]string, 0, len(names))
			for n := range names {
				sorted = append(sorted, n)
			}
			sort.Strings(sorted)
			return &fieldAbsentError{layer: spec.Name, key: m.key, prop: m.prop, line: spec.FieldLines[m.key], names: sorted}
		}
	}
	return nil
}

// nearestName is the name closest to want ignoring case, when it is close
// (at most 2 edits, or equal but for case); "" otherwise.
func nearestName(want string, names []string) string {
	w := []rune(strings.ToUpper(want))
	best, bestD := "", 3
	for _, n := range names {
		if d := levenshtein(w, []rune(strings.ToUpper(n))); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

func describe(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%v", v)
	}
	return string(b)
}

func propString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	return describe(v)
}

func propNumber(v any) (float64, bool) {
	switch v := v.(type) {
	case json.Number:
		f, err := v.Float64()
		return f, err == nil && !math.IsInf(f, 0)
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f, err == nil && !math.IsInf(f, 0) && !math.IsNaN(f)
	}
	return 0, false
}

// propYear accepts an integer number or a string of digits (common in
// data exported from Chinese databases).
func propYear(v any) (int, bool) {
	var s string
	switch v := v.(type) {
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
	default:
		return 0, false
	}
	s = strings.TrimSuffix(s, ".0")
	y, err := strconv.Atoi(s)
	if err != nil || y < 1000 || y > 9999 {
		return 0, false
	}
	return y, true
}

// disjointLayers warns about a layer whose extent meets no other layer's:
// the usual sign of a wrong CRS or a file from another city.
func disjointLayers(layers []*Layer) []Issue {
	bounds := make([]orb.Bound, len(layers))
	has := make([]bool, len(layers))
	for i, l := range layers {
		for _, f := range l.Features {
			if f.Geometry == nil || f.Invalid {
				continue
			}
			if !has[i] {
				bounds[i], has[i] = geo.BoundOf(f.Geometry), true
			} else {
				bounds[i] = bounds[i].Union(geo.BoundOf(f.Geometry))
			}
		}
	}
	var out []Issue
	for i, l := range layers {
		if !has[i] || len(layers) < 2 {
			continue
		}
		meets := false
		for j := range layers {
			if j != i && has[j] && bounds[i].Intersects(bounds[j]) {
				meets = true
				break
			}
		}
		if !meets {
			out = append(out, Issue{Check: CheckDisjoint, Layer: l.Name, File: filepath.ToSlash(l.File), Feature: -1,
				Text: geo.Textf("layer %s (extent %.4f,%.4f – %.4f,%.4f) overlaps no other layer of the set; check its CRS", "图层 %s（范围 %.4f,%.4f – %.4f,%.4f）与本套其他图层均不重叠；请检查其坐标系",
					l.Name, bounds[i].Min[0], bounds[i].Min[1], bounds[i].Max[0], bounds[i].Max[1])})
		}
	}
	return out
}
