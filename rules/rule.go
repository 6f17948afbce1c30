// Package rules is the rule engine and the built-in 多规合一 rules.
//
// A rule is a value (Name, Doc, Severity, Settings, Requires, Run). Rules report conflicts
// through Pass.Report; the error return of Run means the rule could not run.
package rules

import (
	"context"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
)

// Rule is one check.
type Rule struct {
	// Name is the identifier used in reports, rules files and explain.
	Name string
	// Doc documents the rule: title, what it detects, why it matters,
	// how to fix it, in English and Chinese.
	Doc      Doc
	Severity Severity
	// Settings are the tolerances of plancheck.yaml's settings: the rule
	// reads (with Pass.Setting). The manifest accepts the settings its
	// rule set declares, and no others.
	Settings []Setting
	// Requires lists the rules whose results this one reads (with the
	// Provider that made them). They run before it, once per run, also
	// when the rule set does not list them; then their findings, if any,
	// are not reported. Validate rejects a cycle.
	Requires []*Rule
	// ResultType is the type of the result the rule provides to the rules
	// requiring it (see Provider); nil when it provides none.
	ResultType reflect.Type
	Run        func(ctx context.Context, pass *Pass) error
	// Relation is a rules-file rule's relation (overlaps, within,
	// outside); "" for the rules written in Go.
	Relation string
}

// Title is the title of the rule's Doc.
func (r *Rule) Title() string {
	return r.Doc.Title
}

// Info describes the rule for reports.
func (r *Rule) Info() RuleInfo {
	settings := settingsOf(r)
	return RuleInfo{Name: r.Name, Title: r.Title(), Doc: r.Doc.Text(settings), Severity: r.Severity, Help: r.Doc, Settings: settings}
}

// Options are the run-time settings of a check.
type Options struct {
	// MinAreaM2: an intersection smaller than this is no finding.
	MinAreaM2 float64
	// Workers bounds the goroutines overlaying pairs; 0 means GOMAXPROCS.
	Workers int
	// Progress, when set, is called before each rule runs and once at the
	// end (done == total).
	Progress func(done, total int, rule string)
}

// DefaultMinAreaM2 is the default --min-area.
const DefaultMinAreaM2 = 1.0

// Pass is one rule's view of a run.
type Pass struct {
	Set     *planning.PlanSet
	Options Options
	Rule    *Rule
	shapes  *shapeCache
	// results holds what the rules run so far provide, by rule.
	results map[*Rule]any
	mu      sync.Mutex
	found   []Finding
	// undeclared names a setting the rule read without declaring it.
	undeclared string
}

// Setting returns the manifest's value of a setting the rule declares,
// or its default. Reading a setting the rule (and the rules it requires)
// does not declare is a defect of the rule: its run fails.
func (p *Pass) Setting(s Setting) float64 {
	if !slices.ContainsFunc(settingsOf(p.Rule), func(d Setting) bool { return d.Name == s.Name }) {
		p.mu.Lock()
		p.undeclared = s.Name
		p.mu.Unlock()
	}
	if p.Set != nil && p.Set.Manifest != nil {
		if v, ok := p.Set.Manifest.Settings[s.Name]; ok {
			return v
		}
	}
	return s.Default
}

// Report records a finding of the rule, with the rule's name and
// severity. Safe for concurrent use.
func (p *Pass) Report(f Finding) {
	f.Rule = p.Rule.Name
	f.Severity = p.Rule.Severity
	p.mu.Lock()
	p.found = append(p.found, f)
	p.mu.Unlock()
}

// Run runs rules over a plan set and returns their findings, sorted.
// The rules a rule requires run before it (once, in the order Requires
// lists them); only the findings of rs are returned.
func Run(ctx context.Context, set *planning.PlanSet, rs []*Rule, opts Options) ([]Finding, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	order, err := runOrder(rs)
	if err != nil {
		return nil, err
	}
	listed := make(map[*Rule]bool, len(rs))
	for _, r := range rs {
		listed[r] = true
	}
	cache := newShapeCache()
	results := map[*Rule]any{}
	var all []Finding
	done := 0
	for _, r := range order {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opts.Progress != nil && listed[r] {
			opts.Progress(done, len(rs), r.Name)
		}
		pass := &Pass{Set: set, Options: opts, Rule: r, shapes: cache, results: results}
		if err := r.Run(ctx, pass); err != nil {
			return nil, fmt.Errorf("rules: %s: %w", r.Name, err)
		}
		if pass.undeclared != "" {
			return nil, fmt.Errorf("rules: %s reads setting %s, which it does not declare", r.Name, pass.undeclared)
		}
		if r.ResultType != nil {
			if _, ok := results[r]; !ok {
				return nil, fmt.Errorf("rules: %s provides no result", r.Name)
			}
		}
		if listed[r] {
			all = append(all, pass.found...)
			done++
		}
	}
	if opts.Progress != nil {
		opts.Progress(len(rs), len(rs), "")
	}
	SortFindings(all)
	return all, nil
}

// runOrder lists rs and the rules they require, each once, every rule
// after the rules it requires: depth first, in list order. A cycle is an
// error naming it.
func runOrder(rs []*Rule) ([]*Rule, error) {
	const (
		visiting = 1
		visited  = 2
	)
	state := map[*Rule]int{}
	var order []*Rule
	var path []*Rule
	var visit func(r *Rule) error
	visit = func(r *Rule) error {
		switch state[r] {
		case visited:
			return nil
		case visiting:
			i := slices.Index(path, r)
			names := make([]string, 0, len(path)-i+1)
			for _, q := range path[i:] {
				names = append(names, q.Name)
			}
			return fmt.Errorf("rules: %s requires itself: %s", r.Name, strings.Join(append(names, r.Name), " → "))
		}
		state[r] = visiting
		path = append(path, r)
		for _, q := range r.Requires {
			if q == nil {
				return fmt.Errorf("rules: %s requires a nil rule", r.Name)
			}
			if err := visit(q); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		state[r] = visited
		order = append(order, r)
		return nil
	}
	for _, r := range rs {
		if err := visit(r); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// Validate checks a rule list and the rules they require: unique names, a
// Run function, a doc with a short lowercase title and what the rule
// detects, settings declared alike by every rule that reads them, and no
// cycle of Requires.
func Validate(rs []*Rule) error {
	for _, r := range rs {
		if r == nil {
			return fmt.Errorf("rules: a rule is nil")
		}
	}
	// The rules they require are checked too; a cycle is refused.
	all, err := runOrder(rs)
	if err != nil {
		return err
	}
	seen := map[string]*Rule{}
	settings := map[string]Setting{}
	for _, r := range all {
		switch {
		case r.Name == "":
			return fmt.Errorf("rules: a rule has no name")
		case seen[r.Name] != nil:
			return fmt.Errorf("rules: duplicate rule %q", r.Name)
		case r.Run == nil:
			return fmt.Errorf("rules: %s has no Run", r.Name)
		}
		seen[r.Name] = r
		if err := r.Doc.check(); err != nil {
			return fmt.Errorf("rules: %s: %w", r.Name, err)
		}
		for _, s := range r.Settings {
			if err := s.check(); err != nil {
				return fmt.Errorf("rules: %s: %w", r.Name, err)
			}
			if prev, ok := settings[s.Name]; ok && prev != s {
				return fmt.Errorf("rules: %s: setting %s is declared differently by another rule", r.Name, s.Name)
			}
			settings[s.Name] = s
		}
	}
	return nil
}

// Lookup finds a rule by name.
func Lookup(rs []*Rule, name string) *Rule {
	i := slices.IndexFunc(rs, func(r *Rule) bool { return r.Name == name })
	if i < 0 {
		return nil
	}
	return rs[i]
}

// shapeCache prepares each feature's geometry and corridor once per run,
// shared by every rule.
type shapeCache struct {
	mu        sync.Mutex
	shapes    map[featureKey]*cachedShape
	corridors map[featureKey]*cachedShape
}

type featureKey struct {
	layer *planning.Layer
	index int
}

type cachedShape struct {
	once  sync.Once
	shape *geo.Shape
	err   error
}

func newShapeCache() *shapeCache {
	return &shapeCache{shapes: map[featureKey]*cachedShape{}, corridors: map[featureKey]*cachedShape{}}
}

func (c *shapeCache) entry(m map[featureKey]*cachedShape, k featureKey) *cachedShape {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := m[k]
	if e == nil {
		e = &cachedShape{}
		m[k] = e
	}
	return e
}

// sharedShapeVertices: a polygon with at least this many positions (a
// zone, a district, a city boundary) is prepared once per run and shared
// by every rule. Smaller ones, the bulk of a city's parcels, are prepared
// where they are needed: that costs a microsecond, while keeping them
// would hold several copies of every coordinate of a million-parcel plan.
const sharedShapeVertices = 256

// shape returns the prepared geometry of a feature.
func (p *Pass) shape(l *planning.Layer, i int) (*geo.Shape, error) {
	g := l.Features[i].Geometry
	if geo.PointCount(g) < sharedShapeVertices {
		return geo.NewShape(g)
	}
	e := p.shapes.entry(p.shapes.shapes, featureKey{l, i})
	e.once.Do(func() {
		e.shape, e.err = geo.NewShape(g)
	})
	return e.shape, e.err
}

// corridor returns the buffered corridor of an infrastructure line.
func (p *Pass) corridor(l *planning.Layer, i int) (*geo.Shape, error) {
	e := p.shapes.entry(p.shapes.corridors, featureKey{l, i})
	e.once.Do(func() {
		f := &l.Features[i]
		g, err := geo.Corridor(f.Geometry, f.WidthM)
		if err != nil {
			e.err = fmt.Errorf("%s#%s: %w", l.Name, f.ID, err)
			return
		}
		e.shape, e.err = geo.NewShape(g)
	})
	return e.shape, e.err
}
