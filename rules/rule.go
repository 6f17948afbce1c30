// Package rules is the rule engine and the built-in 多规合一 rules.
//
// A rule is a value (Name, Doc, Severity, Run). Rules report conflicts
// through Pass.Report; the error return of Run means the rule could not run.
package rules

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
)

// Rule is one check.
type Rule struct {
	// Name is the identifier used in reports, --only-rule and explain.
	Name string
	// Doc documents the rule: title, what it detects, why it matters,
	// how to fix it, in English and Chinese.
	Doc      Doc
	Severity Severity
	// Settings are the tolerances of plancheck.yaml's settings: the rule
	// reads (with Pass.Setting).
	Settings []Setting
	Run      func(ctx context.Context, pass *Pass) error
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
	mu      sync.Mutex
	found   []Finding
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
func Run(ctx context.Context, set *planning.PlanSet, rs []*Rule, opts Options) ([]Finding, error) {
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	cache := newShapeCache()
	var all []Finding
	for i, r := range rs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if opts.Progress != nil {
			opts.Progress(i, len(rs), r.Name)
		}
		pass := &Pass{Set: set, Options: opts, Rule: r, shapes: cache}
		if err := r.Run(ctx, pass); err != nil {
			return nil, fmt.Errorf("rules: %s: %w", r.Name, err)
		}
		all = append(all, pass.found...)
	}
	if opts.Progress != nil {
		opts.Progress(len(rs), len(rs), "")
	}
	SortFindings(all)
	return all, nil
}

// Validate checks a rule list: unique names, a Run function, a doc with a
// short lowercase title and what the rule detects, and settings declared
// alike by every rule that reads them.
func Validate(rs []*Rule) error {
	seen := map[string]bool{}
	settings := map[string]Setting{}
	for _, r := range rs {
		switch {
		case r.Name == "":
			return fmt.Errorf("rules: a rule has no name")
		case seen[r.Name]:
			return fmt.Errorf("rules: duplicate rule %q", r.Name)
		case r.Run == nil:
			return fmt.Errorf("rules: %s has no Run", r.Name)
		}
		seen[r.Name] = true
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
	memos     map[string]*memoEntry
}

type memoEntry struct {
	once sync.Once
	v    any
	err  error
}

// memo computes a named value once per run, for analyses several rules
// share.
func (c *shapeCache) memo(name string, fn func() (any, error)) (any, error) {
	c.mu.Lock()
	e := c.memos[name]
	if e == nil {
		e = &memoEntry{}
		c.memos[name] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.v, e.err = fn() })
	return e.v, e.err
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
	return &shapeCache{shapes: map[featureKey]*cachedShape{}, corridors: map[featureKey]*cachedShape{}, memos: map[string]*memoEntry{}}
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
