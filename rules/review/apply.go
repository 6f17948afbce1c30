package review

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/rules"
)

// MinIoU is the overlap (intersection over union of the two conflict
// patches) above which a finding whose features were re-digitised under
// new ids is still the same conflict.
const MinIoU = 0.5

// Options are what Apply compares a run with.
type Options struct {
	// Date is the run date, YYYY-MM-DD: decisions expire against it and new
	// findings are first seen on it.
	Date string
	// Baseline is the earlier run, nil for none.
	Baseline *Baseline
	// Decisions are the recorded decisions, nil for none; DecisionsFile is
	// how findings name their file.
	Decisions     []rules.Decision
	DecisionsFile string
	// Only is the --only layer: decisions about other layers are not stale
	// when their findings were not looked for.
	Only string
}

// Rule names of the findings the review step itself reports.
const (
	RuleDecisionExpired = "decision-expired"
	RuleDecisionStale   = "decision-stale"
)

// Rules describes the review step's own findings for reports (SARIF
// descriptors, the HTML legend).
func Rules() []rules.RuleInfo {
	return []rules.RuleInfo{
		{Name: RuleDecisionExpired, Severity: rules.Warning, Title: "an accepted decision has expired",
			Doc: "an accepted decision has expired\n\nReports a decision with status accepted whose expires date is before the run date (--date). The findings it names are no longer waived and count for --fail-on again.\nFix: renew the decision with a new basis and expiry, or resolve the conflict.\n\n已同意保留的协调意见已过有效期，相关冲突不再豁免。请续期或整改。"},
		{Name: RuleDecisionStale, Severity: rules.Warning, Title: "a decision matches no current finding",
			Doc: "a decision matches no current finding\n\nReports a decision of the decisions file that names no finding of this run: the conflict was resolved, or the features were renamed. A decisions file that is never pruned hides nothing today but may waive an unrelated conflict tomorrow.\nFix: remove the entry, or update its features or fingerprint.\n\n协调意见未对应任何当前冲突（冲突已消除或要素已更名），请删除或更新该条目。"},
	}
}

// Apply gives every finding of res its review state and decision, adds
// the baseline's absent findings and the decision-expired and
// decision-stale warnings, and records the run date and baseline in res.
// It runs after the rules and before the reports.
func Apply(ctx context.Context, res *rules.Result, opts Options) error {
	res.Date = opts.Date
	if opts.Baseline != nil {
		res.Baseline = &rules.BaselineInfo{Dir: opts.Baseline.Dir, GUID: opts.Baseline.GUID, Date: opts.Baseline.Date}
	}
	if opts.DecisionsFile != "" {
		res.Decisions = opts.DecisionsFile
	}
	current := res.Findings
	// Stage 1 takes findings sharing a fingerprint in report order, the
	// order report.json lists the baseline's in.
	rules.SortFindings(current)
	for i := range current {
		current[i].Review = &rules.Review{FirstSeen: opts.Date}
	}
	var m *matcher
	if opts.Baseline != nil {
		m = newMatcher(opts.Baseline.Findings)
		if err := m.match(ctx, current, true); err != nil {
			return err
		}
	}
	var extra []rules.Finding
	if opts.Decisions != nil {
		extra = applyDecisions(current, opts.Decisions, opts.Date, opts.Only)
		for i := range extra {
			extra[i].Review = &rules.Review{FirstSeen: opts.Date}
		}
		if m != nil {
			// Decision findings have no patch: they match by identity only.
			if err := m.match(ctx, extra, false); err != nil {
				return err
			}
		}
		res.Rules = appendMissingRules(res.Rules, Rules())
	}
	res.Findings = append(current, extra...)
	if m != nil {
		res.Findings = append(res.Findings, m.absent()...)
	}
	rules.SortFindings(res.Findings)
	return nil
}

func appendMissingRules(have, add []rules.RuleInfo) []rules.RuleInfo {
	for _, ri := range add {
		if !slices.ContainsFunc(have, func(h rules.RuleInfo) bool { return h.Name == ri.Name }) {
			have = append(have, ri)
		}
	}
	return have
}

// matcher pairs current findings with baseline findings, each at most
// once.
type matcher struct {
	base    []rules.Finding
	matched []bool
}

func newMatcher(base []rules.Finding) *matcher {
	return &matcher{base: base, matched: make([]bool, len(base))}
}

// match gives each finding of cur a state: stage 1 pairs findings with the
// same rule, layers and feature ids (the fingerprint), in report order
// where several share one; stage 2 (when patches is set) pairs the rest
// with the same rule and layers whose patches overlap with IoU ≥ MinIoU,
// best IoU first, ties by the current then the baseline fingerprint.
func (m *matcher) match(ctx context.Context, cur []rules.Finding, patches bool) error {
	partner := make([]int, len(cur))
	for i := range partner {
		partner[i] = -1
	}
	byFingerprint := map[string][]int{}
	for j, b := range m.base {
		if !m.matched[j] {
			fp := b.Fingerprint()
			byFingerprint[fp] = append(byFingerprint[fp], j)
		}
	}
	for i := range cur {
		fp := cur[i].Fingerprint()
		if js := byFingerprint[fp]; len(js) > 0 {
			partner[i] = js[0]
			m.matched[js[0]] = true
			byFingerprint[fp] = js[1:]
		}
	}
	stage2 := make([]bool, len(cur))
	if patches {
		pairs, err := m.overlapping(ctx, cur, partner)
		if err != nil {
			return err
		}
		for _, p := range pairs {
			if partner[p.cur] < 0 && !m.matched[p.base] {
				partner[p.cur] = p.base
				m.matched[p.base] = true
				stage2[p.cur] = true
			}
		}
	}
	for i := range cur {
		rv := cur[i].Review
		j := partner[i]
		if j < 0 {
			rv.State = rules.StateNew
			continue
		}
		b := m.base[j]
		rv.FirstSeen = b.Review.FirstSeen
		rv.PreviousFingerprint = b.Fingerprint()
		if stage2[i] {
			rv.PreviousFeatures = nonNil(b.Features)
		}
		rv.State = rules.StateUnchanged
		if !sameArea(cur[i].AreaM2, b.AreaM2) {
			rv.State = rules.StateUpdated
		}
	}
	return nil
}

// sameArea: the areas as reports print them (0.01 m²) differ by at most
// max(1 m², 1 % of the baseline area). It counts in whole hundredths of a
// square metre, so the bounds hold exactly: in floating point 2.14 − 1.14
// exceeds 1.
func sameArea(cur, base float64) bool {
	c, b := centis(cur), centis(base)
	d := c - b
	if d < 0 {
		d = -d
	}
	if b < 0 {
		b = -b
	}
	// d ≤ 1 m² (100 hundredths), or d ≤ 1 % of b: 100·d ≤ b (no overflow
	// below 9·10¹⁴ m², more than the Earth's surface).
	return d <= 100 || 100*d <= b
}

// centis is an area in whole hundredths of a square metre, as reports
// round it.
func centis(v float64) int64 { return int64(math.Round(v * 100)) }

type candidate struct {
	cur, base int
	iou       float64
	curFP     string
	baseFP    string
}

// overlapping lists the stage-2 candidates: unmatched pairs of the same
// rule and layers whose polygonal patches have IoU ≥ MinIoU, in the order
// they are to be taken.
func (m *matcher) overlapping(ctx context.Context, cur []rules.Finding, partner []int) ([]candidate, error) {
	type patch struct {
		shape *geo.Shape
		area  float64
	}
	prepare := func(f rules.Finding) *patch {
		if f.AreaM2 <= 0 || f.Geometry == nil || !isPolygonal(f.Geometry) {
			return nil
		}
		s, err := geo.NewShape(f.Geometry)
		if err != nil {
			return nil
		}
		return &patch{shape: s, area: s.AreaM2()}
	}
	groupOf := func(f rules.Finding) string {
		return f.Rule + "\x00" + strings.Join(f.Layers, "\x00")
	}
	type group struct {
		base    []int
		patches []*patch
		index   *geo.Index
	}
	groups := map[string]*group{}
	for j, b := range m.base {
		if m.matched[j] {
			continue
		}
		p := prepare(b)
		if p == nil {
			continue
		}
		g := groups[groupOf(b)]
		if g == nil {
			g = &group{}
			groups[groupOf(b)] = g
		}
		g.base = append(g.base, j)
		g.patches = append(g.patches, p)
	}
	for _, g := range groups {
		bounds := make([]orb.Bound, len(g.patches))
		for k, p := range g.patches {
			bounds[k] = p.shape.Bound
		}
		g.index = geo.NewIndex(bounds)
	}
	var out []candidate
	for i, f := range cur {
		if partner[i] >= 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		g := groups[groupOf(f)]
		if g == nil {
			continue
		}
		p := prepare(f)
		if p == nil {
			continue
		}
		var hits []int
		g.index.Search(p.shape.Bound, func(k int) { hits = append(hits, k) })
		slices.Sort(hits)
		for _, k := range hits {
			bp := g.patches[k]
			_, inter, err := geo.Overlap(p.shape, bp.shape)
			if err != nil || inter <= 0 {
				// A patch the overlay cannot handle (a baseline rounded to
				// 1e-7° can touch itself) is no evidence of identity.
				continue
			}
			union := p.area + bp.area - inter
			if union <= 0 {
				continue
			}
			iou := quantizeIoU(inter / union)
			if iou >= MinIoU {
				j := g.base[k]
				out = append(out, candidate{cur: i, base: j, iou: iou, curFP: f.Fingerprint(), baseFP: m.base[j].Fingerprint()})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b candidate) int {
		if c := cmp.Compare(b.iou, a.iou); c != 0 {
			return c
		}
		if c := strings.Compare(a.curFP, b.curFP); c != 0 {
			return c
		}
		if c := strings.Compare(a.baseFP, b.baseFP); c != 0 {
			return c
		}
		return cmp.Or(cmp.Compare(a.cur, b.cur), cmp.Compare(a.base, b.base))
	})
	return out, nil
}

// quantizeIoU rounds an IoU to six decimals: two patches overlapping a
// third equally (identical re-digitised copies) tie even when the
// overlay's floating point differs in the last digits, and a pair at
// exactly the threshold is not lost below it (a square against itself
// moved by a third of its width computes 0.49999999964).
func quantizeIoU(v float64) float64 { return math.Round(v*1e6) / 1e6 }

func isPolygonal(g orb.Geometry) bool {
	switch g.(type) {
	case orb.Polygon, orb.MultiPolygon:
		return true
	}
	return false
}

// absent returns the baseline findings nothing matched, as absent findings
// with their baseline geometry and properties.
func (m *matcher) absent() []rules.Finding {
	var out []rules.Finding
	for j, b := range m.base {
		if m.matched[j] {
			continue
		}
		b.Review = &rules.Review{State: rules.StateAbsent, FirstSeen: b.Review.FirstSeen, PreviousFingerprint: b.Fingerprint()}
		out = append(out, b)
	}
	return out
}

// applyDecisions attaches to each finding the first decision (in file
// order) naming it, by its current ids or fingerprint or, for a finding
// matched to the baseline, by the baseline's; it returns the
// decision-expired and decision-stale findings.
func applyDecisions(fs []rules.Finding, ds []rules.Decision, date, only string) []rules.Finding {
	decs := make([]*rules.Decision, len(ds))
	for k := range ds {
		d := ds[k]
		d.Expired = d.Expires != "" && d.Expires < date
		decs[k] = &d
	}
	// Decisions indexed by what they name, so a city-scale run does not
	// hash every finding once per decision; the first in file order that
	// names a finding (names decides) is its decision.
	byFP, byRefs := map[string][]int{}, map[string][]int{}
	for k, d := range decs {
		if d.Fingerprint != "" {
			byFP[d.Fingerprint] = append(byFP[d.Fingerprint], k)
		} else {
			key := decisionKey(*d)
			byRefs[key] = append(byRefs[key], k)
		}
	}
	used := make([]bool, len(decs))
	for i := range fs {
		f := &fs[i]
		var cands []int
		for _, fp := range []string{f.Fingerprint(), f.Review.PreviousFingerprint} {
			if fp != "" {
				cands = append(cands, byFP[fp]...)
			}
		}
		for _, ids := range [][]string{f.Features, f.Review.PreviousFeatures} {
			if len(ids) > 0 {
				cands = append(cands, byRefs[decisionKey(rules.Decision{Rule: f.Rule, Features: refs(f.Layers, ids)})]...)
			}
		}
		slices.Sort(cands)
		cands = slices.Compact(cands)
		for _, k := range cands {
			d := decs[k]
			if !names(d, f) {
				continue
			}
			// A later entry naming the same finding matches it too (it is
			// not stale), but only the first decides.
			used[k] = true
			if f.Review.Decision == nil {
				f.Review.Decision = d
				f.Review.Waived = d.Status == rules.DecisionAccepted && !d.Expired
			}
		}
	}
	var out []rules.Finding
	for k, d := range decs {
		// Under --only, warnings about decisions on other layers' findings
		// are left out like those findings.
		if d.Status == rules.DecisionAccepted && d.Expired && (used[k] || concerns(d, only)) {
			out = append(out, decisionFinding(RuleDecisionExpired, d,
				"accepted decision ("+describe(d)+") expired on "+d.Expires+"; its findings count again",
				"协调意见（"+describe(d)+"）已于 "+d.Expires+" 过期，相关冲突不再豁免"))
		}
		if !used[k] && concerns(d, only) {
			out = append(out, decisionFinding(RuleDecisionStale, d,
				"decision ("+describe(d)+") matches no current finding: remove or update it",
				"协调意见（"+describe(d)+"）未对应任何当前冲突，请删除或更新"))
		}
	}
	return out
}

// concerns reports whether a run filtered to layer only (all when "")
// looked for the finding d names; a decision by fingerprint alone cannot
// say, and is given the benefit of the doubt.
func concerns(d *rules.Decision, only string) bool {
	if only == "" {
		return true
	}
	for _, ref := range d.Features {
		if layer, _, _ := strings.Cut(ref, "#"); layer == only {
			return true
		}
	}
	return false
}

// names reports whether d names f: same rule (when d gives one) and the
// same features in any order, or the same fingerprint; for a finding
// matched to the baseline, the baseline's ids and fingerprint count too.
func names(d *rules.Decision, f *rules.Finding) bool {
	if d.Rule != "" && d.Rule != f.Rule {
		return false
	}
	if d.Fingerprint != "" {
		return d.Fingerprint == f.Fingerprint() || (f.Review.PreviousFingerprint != "" && d.Fingerprint == f.Review.PreviousFingerprint)
	}
	if sameRefs(d.Features, f.Layers, f.Features) {
		return true
	}
	return f.Review.PreviousFeatures != nil && sameRefs(d.Features, f.Layers, f.Review.PreviousFeatures)
}

func sameRefs(want, layers, ids []string) bool {
	if len(want) != len(ids) || len(ids) == 0 {
		return false
	}
	have := refs(layers, ids)
	want = slices.Clone(want)
	slices.Sort(have)
	slices.Sort(want)
	return slices.Equal(have, want)
}

// refs are a finding's features as a decision names them, "layer#id".
func refs(layers, ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		layer := ""
		if i < len(layers) {
			layer = layers[i]
		}
		out[i] = layer + "#" + id
	}
	return out
}

func describe(d *rules.Decision) string {
	var b strings.Builder
	if d.Rule != "" {
		b.WriteString(d.Rule + " ")
	}
	if d.Fingerprint != "" {
		b.WriteString(d.Fingerprint)
	} else {
		b.WriteString(strings.Join(d.Features, " × "))
	}
	b.WriteString(", " + d.Status + ", " + d.File + ":" + strconv.Itoa(d.Line))
	return b.String()
}

func decisionFinding(rule string, d *rules.Decision, en, zh string) rules.Finding {
	f := rules.Finding{
		Rule:      rule,
		Severity:  rules.Warning,
		Message:   en,
		MessageZH: zh,
		Location:  rules.Location{File: d.File, Line: d.Line},
	}
	for _, ref := range d.Features {
		layer, id, _ := strings.Cut(ref, "#")
		f.Layers = append(f.Layers, layer)
		f.Features = append(f.Features, id)
	}
	return f
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
