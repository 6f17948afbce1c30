package review

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"github.com/paulmach/orb"
	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/rules"
)

// square is a 0.01° square (about 1 km) whose west edge is at 112.9 + dx
// (in squares), near Changsha.
func square(dx float64) orb.Polygon {
	x0 := 112.9 + dx*0.01
	return orb.Polygon{{{x0, 28.1}, {x0 + 0.01, 28.1}, {x0 + 0.01, 28.11}, {x0, 28.11}, {x0, 28.1}}}
}

// wide is square(dx) stretched east by a factor.
func wide(dx, factor float64) orb.Polygon {
	x0 := 112.9 + dx*0.01
	x1 := x0 + 0.01*factor
	return orb.Polygon{{{x0, 28.1}, {x1, 28.1}, {x1, 28.11}, {x0, 28.11}, {x0, 28.1}}}
}

func patch(rule string, layers, ids []string, g orb.Polygon) rules.Finding {
	return rules.Finding{Rule: rule, Severity: rules.Error, Layers: layers, Features: ids, Geometry: g, AreaM2: geo.AreaM2(g)}
}

func baselineOf(fs ...rules.Finding) *Baseline {
	for i := range fs {
		fs[i].Review = &rules.Review{FirstSeen: "2026-01-10"}
	}
	return &Baseline{Dir: "base", GUID: "g", Date: "2026-01-10", Findings: fs}
}

func states(t *testing.T, res *rules.Result) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, f := range res.Findings {
		key := f.Rule + " " + f.Subject()
		out[key] = f.Review.State
	}
	return out
}

func TestApplyStates(t *testing.T) {
	lu := []string{"cm", "lu"}
	base := baselineOf(
		patch("farm", lu, []string{"A", "Z1"}, square(0)),     // same ids: unchanged
		patch("farm", lu, []string{"B", "Z1"}, square(2)),     // re-digitised as B2, identical: unchanged by IoU
		patch("farm", lu, []string{"C", "Z1"}, square(4)),     // re-digitised as C2, 20 % larger: updated by IoU
		patch("farm", lu, []string{"D", "Z1"}, square(6)),     // moved by half: IoU 1/3, absent + new
		patch("other", lu, []string{"E", "Z1"}, square(8)),    // another rule at the same place: absent
		rules.Finding{Rule: "timing", Layers: []string{"lu"}}, // layer-level: matched by identity
	)
	cur := []rules.Finding{
		patch("farm", lu, []string{"A", "Z1"}, square(0)),
		patch("farm", lu, []string{"B2", "Z1"}, square(2)),
		patch("farm", lu, []string{"C2", "Z1"}, wide(4, 1.2)),
		patch("farm", lu, []string{"D", "Z2"}, square(6.5)),
		patch("third", lu, []string{"E", "Z1"}, square(8)),
		{Rule: "timing", Layers: []string{"lu"}},
	}
	res := &rules.Result{Findings: cur}
	if err := Apply(context.Background(), res, Options{Date: "2026-03-01", Baseline: base}); err != nil {
		t.Fatal(err)
	}
	got := states(t, res)
	want := map[string]string{
		"farm cm#A × lu#Z1":  rules.StateUnchanged,
		"farm cm#B2 × lu#Z1": rules.StateUnchanged,
		"farm cm#C2 × lu#Z1": rules.StateUpdated,
		"farm cm#D × lu#Z2":  rules.StateNew,
		"farm cm#D × lu#Z1":  rules.StateAbsent,
		"third cm#E × lu#Z1": rules.StateNew,
		"other cm#E × lu#Z1": rules.StateAbsent,
		"timing lu":          rules.StateUnchanged,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: state %q, want %q", k, got[k], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("got %d findings %v, want %d", len(got), got, len(want))
	}
	for _, f := range res.Findings {
		switch f.Subject() {
		case "cm#B2 × lu#Z1":
			if f.Review.FirstSeen != "2026-01-10" || len(f.Review.PreviousFeatures) != 2 || f.Review.PreviousFeatures[0] != "B" {
				t.Errorf("B2: first seen %s, previous %v; want the baseline's date and ids", f.Review.FirstSeen, f.Review.PreviousFeatures)
			}
		case "cm#A × lu#Z1":
			if f.Review.PreviousFeatures != nil {
				t.Errorf("A matched by ids has previous_features %v", f.Review.PreviousFeatures)
			}
		case "cm#D × lu#Z2":
			if f.Review.FirstSeen != "2026-03-01" {
				t.Errorf("new finding first seen %s, want the run date", f.Review.FirstSeen)
			}
		}
	}
	if res.Baseline == nil || res.Date != "2026-03-01" {
		t.Errorf("result not marked with baseline and date: %+v %q", res.Baseline, res.Date)
	}
}

// Each finding is matched at most once: of two current findings equally
// close to one baseline finding, the one with the smaller fingerprint
// takes it; the better IoU always wins first.
func TestApplyStage2Order(t *testing.T) {
	lu := []string{"cm", "lu"}
	base := baselineOf(patch("farm", lu, []string{"OLD", "Z"}, square(0)))
	a := patch("farm", lu, []string{"N1", "Z"}, square(0.1))
	b := patch("farm", lu, []string{"N2", "Z"}, square(-0.1))
	winner := "farm cm#N1 × lu#Z"
	if b.Fingerprint() < a.Fingerprint() {
		winner = "farm cm#N2 × lu#Z"
	}
	res := &rules.Result{Findings: []rules.Finding{a, b}}
	if err := Apply(context.Background(), res, Options{Date: "2026-03-01", Baseline: base}); err != nil {
		t.Fatal(err)
	}
	got := states(t, res)
	for k, s := range got {
		want := rules.StateNew
		if k == winner {
			want = rules.StateUnchanged
		}
		if s != want {
			t.Errorf("%s: %s, want %s (tie goes to the smaller current fingerprint)", k, s, want)
		}
	}

	c := patch("farm", lu, []string{"N3", "Z"}, square(0.3))
	d := patch("farm", lu, []string{"N4", "Z"}, square(0.05))
	res = &rules.Result{Findings: []rules.Finding{c, d}}
	base = baselineOf(patch("farm", lu, []string{"OLD", "Z"}, square(0)))
	if err := Apply(context.Background(), res, Options{Date: "2026-03-01", Baseline: base}); err != nil {
		t.Fatal(err)
	}
	if got := states(t, res); got["farm cm#N4 × lu#Z"] != rules.StateUnchanged || got["farm cm#N3 × lu#Z"] != rules.StateNew {
		t.Errorf("the higher IoU must win: %v", got)
	}
}

func TestSameArea(t *testing.T) {
	for _, tc := range []struct {
		cur, base float64
		want      bool
	}{
		{50.9, 50, true},       // within 1 m²
		{51.01, 50, false},     // over 1 m² and over 1 %
		{1010, 1000, true},     // exactly 1 %
		{1010.02, 1000, false}, // just over
		{990, 1000, true},
		{0, 0, true},
		// Exactly 1 m², where floating point gives 2.14 − 1.14 > 1.
		{2.14, 1.14, true},
		{1.14, 2.14, true},
		{2.15, 1.14, false},
		{1.004999, 0, true}, // 1.00 as reported
		{1.006, 0, false},   // 1.01 as reported
		// Exactly 1 % of the baseline area, either way, and one
		// hundredth over; the 1 % is of the baseline, not the current.
		{707, 700, true},
		{693, 700, true},
		{12469.12, 12345.67, true},
		{12469.13, 12345.67, false},
		{1000, 990, false},
		{999.91, 990.01, true},
		{88885.6, 87764.52, false}, // fixtures/czt-revision, moved 2 m
	} {
		if got := sameArea(tc.cur, tc.base); got != tc.want {
			t.Errorf("sameArea(%v, %v) = %v, want %v", tc.cur, tc.base, got, tc.want)
		}
	}
}

func TestApplyDecisions(t *testing.T) {
	lu := []string{"cm", "lu"}
	waivedF := patch("farm", lu, []string{"A", "Z"}, square(0))
	expiringToday := patch("farm", lu, []string{"B", "Z"}, square(2))
	expired := patch("farm", lu, []string{"C", "Z"}, square(4))
	byFP := patch("farm", lu, []string{"D", "Z"}, square(6))
	renamed := patch("farm", lu, []string{"E2", "Z"}, square(8))
	review := patch("farm", lu, []string{"F", "Z"}, square(10))
	base := baselineOf(patch("farm", lu, []string{"E", "Z"}, square(8)), waivedF, expiringToday, expired, byFP, review)
	ds := []rules.Decision{
		{Rule: "farm", Features: []string{"lu#Z", "cm#A"}, Status: rules.DecisionAccepted, Basis: "X", File: "d.yaml", Line: 2},
		{Rule: "farm", Features: []string{"cm#B", "lu#Z"}, Status: rules.DecisionAccepted, Basis: "X", Expires: "2026-03-01", File: "d.yaml", Line: 3},
		{Rule: "farm", Features: []string{"cm#C", "lu#Z"}, Status: rules.DecisionAccepted, Basis: "X", Expires: "2026-02-28", File: "d.yaml", Line: 4},
		{Fingerprint: byFP.Fingerprint(), Status: rules.DecisionAccepted, Basis: "X", File: "d.yaml", Line: 5},
		{Rule: "farm", Features: []string{"cm#E", "lu#Z"}, Status: rules.DecisionAccepted, Basis: "X", File: "d.yaml", Line: 6},
		{Rule: "farm", Features: []string{"cm#F", "lu#Z"}, Status: rules.DecisionUnderReview, File: "d.yaml", Line: 7},
		{Rule: "farm", Features: []string{"cm#GONE", "lu#Z"}, Status: rules.DecisionToFix, File: "d.yaml", Line: 8},
		{Rule: "other", Features: []string{"cm#A", "lu#Z"}, Status: rules.DecisionToFix, File: "d.yaml", Line: 9},
	}
	res := &rules.Result{Findings: []rules.Finding{waivedF, expiringToday, expired, byFP, renamed, review}}
	if err := Apply(context.Background(), res, Options{Date: "2026-03-01", Baseline: base, Decisions: ds, DecisionsFile: "d.yaml"}); err != nil {
		t.Fatal(err)
	}
	type want struct {
		status string
		waived bool
	}
	wants := map[string]want{
		"cm#A × lu#Z":  {rules.DecisionAccepted, true},
		"cm#B × lu#Z":  {rules.DecisionAccepted, true}, // expires today: still valid
		"cm#C × lu#Z":  {rules.DecisionAccepted, false},
		"cm#D × lu#Z":  {rules.DecisionAccepted, true},
		"cm#E2 × lu#Z": {rules.DecisionAccepted, true}, // by the baseline's ids
		"cm#F × lu#Z":  {rules.DecisionUnderReview, false},
	}
	var expiredLines, staleLines []int
	for _, f := range res.Findings {
		switch f.Rule {
		case RuleDecisionExpired:
			expiredLines = append(expiredLines, f.Location.Line)
			continue
		case RuleDecisionStale:
			staleLines = append(staleLines, f.Location.Line)
			continue
		}
		w, ok := wants[f.Subject()]
		if !ok {
			t.Errorf("unexpected finding %s %s", f.Rule, f.Subject())
			continue
		}
		if f.Review.Decision == nil || f.Review.Decision.Status != w.status || f.Review.Waived != w.waived {
			t.Errorf("%s: decision %+v waived %v; want %s waived %v", f.Subject(), f.Review.Decision, f.Review.Waived, w.status, w.waived)
		}
	}
	if len(expiredLines) != 1 || expiredLines[0] != 4 {
		t.Errorf("decision-expired at lines %v, want [4]", expiredLines)
	}
	if len(staleLines) != 2 || staleLines[0] != 8 && staleLines[1] != 8 {
		t.Errorf("decision-stale at lines %v, want 8 and 9", staleLines)
	}
	// Waived findings never count; with a baseline only new and updated
	// ones do, and decision warnings are new.
	if n := res.CountAtOrAbove(rules.Error); n != 0 {
		t.Errorf("%d errors count for --fail-on, want 0 (all unchanged or waived)", n)
	}
	if n := res.CountAtOrAbove(rules.Warning); n != 3 {
		t.Errorf("%d findings at warning count, want 3 (the new decision warnings)", n)
	}
}

// Without a baseline a decisions file still waives, and states stay empty.
func TestApplyDecisionsWithoutBaseline(t *testing.T) {
	f := patch("farm", []string{"cm", "lu"}, []string{"A", "Z"}, square(0))
	res := &rules.Result{Findings: []rules.Finding{f}}
	ds := []rules.Decision{{Fingerprint: f.Fingerprint(), Status: rules.DecisionAccepted, Basis: "X", File: "d.yaml", Line: 2}}
	if err := Apply(context.Background(), res, Options{Date: "2026-03-01", Decisions: ds, DecisionsFile: "d.yaml"}); err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 || !res.Findings[0].Review.Waived || res.Findings[0].Review.State != "" {
		t.Fatalf("got %+v", res.Findings[0].Review)
	}
	if res.CountAtOrAbove(rules.Info) != 0 {
		t.Errorf("a waived finding counted for --fail-on")
	}
}

// Under --only a decision about another layer's finding is not stale: its
// finding was not looked for.
func TestApplyDecisionsOnly(t *testing.T) {
	f := patch("farm", []string{"cm", "lu"}, []string{"A", "Z"}, square(0))
	ds := []rules.Decision{
		{Rule: "farm", Features: []string{"other#X", "lu#Z"}, Status: rules.DecisionToFix, File: "d.yaml", Line: 2},
		{Rule: "farm", Features: []string{"cm#GONE", "lu#Z"}, Status: rules.DecisionToFix, File: "d.yaml", Line: 5},
	}
	res := &rules.Result{Findings: []rules.Finding{f}}
	if err := Apply(context.Background(), res, Options{Date: "2026-03-01", Decisions: ds, DecisionsFile: "d.yaml", Only: "cm"}); err != nil {
		t.Fatal(err)
	}
	var stale []int
	for _, f := range res.Findings {
		if f.Rule == RuleDecisionStale {
			stale = append(stale, f.Location.Line)
		}
	}
	if len(stale) != 1 || stale[0] != 5 {
		t.Errorf("stale decisions at lines %v, want [5]", stale)
	}
}

// IoU exactly at the threshold matches: a square against itself moved a
// third of its width east overlaps by 2/3 of a union of 4/3 (areas of
// lon/lat rectangles scale with their width). A patch with no area (a
// marker around a line or point finding) never matches by place.
func TestApplyStage2Threshold(t *testing.T) {
	lu := []string{"cm", "lu"}
	base := baselineOf(
		patch("farm", lu, []string{"OLD", "Z"}, square(0)),
		patch("farm", lu, []string{"FAR", "Z"}, square(4)),
		rules.Finding{Rule: "line", Severity: rules.Warning, Layers: lu, Features: []string{"L1", "Z"}, Geometry: square(8)},
	)
	res := &rules.Result{Findings: []rules.Finding{
		patch("farm", lu, []string{"NEW", "Z"}, square(1.0/3)),
		patch("farm", lu, []string{"FAR2", "Z"}, square(4+0.34)), // IoU 0.66/1.34 < 0.5
		{Rule: "line", Severity: rules.Warning, Layers: lu, Features: []string{"L2", "Z"}, Geometry: square(8)},
	}}
	if err := Apply(context.Background(), res, Options{Date: "2026-03-01", Baseline: base}); err != nil {
		t.Fatal(err)
	}
	got := states(t, res)
	want := map[string]string{
		"farm cm#NEW × lu#Z":  rules.StateUnchanged,
		"farm cm#OLD × lu#Z":  "",
		"farm cm#FAR2 × lu#Z": rules.StateNew,
		"farm cm#FAR × lu#Z":  rules.StateAbsent,
		"line cm#L2 × lu#Z":   rules.StateNew,
		"line cm#L1 × lu#Z":   rules.StateAbsent,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: state %q, want %q", k, got[k], w)
		}
	}
}

// Of two baseline findings equally close to one current finding, the one
// with the smaller fingerprint is taken; the other is absent.
func TestApplyStage2TieOnBaseline(t *testing.T) {
	lu := []string{"cm", "lu"}
	a := patch("farm", lu, []string{"OLD1", "Z"}, square(0.1))
	b := patch("farm", lu, []string{"OLD2", "Z"}, square(-0.1))
	taken := "farm cm#OLD1 × lu#Z"
	if b.Fingerprint() < a.Fingerprint() {
		taken = "farm cm#OLD2 × lu#Z"
	}
	res := &rules.Result{Findings: []rules.Finding{patch("farm", lu, []string{"NEW", "Z"}, square(0))}}
	if err := Apply(context.Background(), res, Options{Date: "2026-03-01", Baseline: baselineOf(a, b)}); err != nil {
		t.Fatal(err)
	}
	got := states(t, res)
	for _, k := range []string{"farm cm#OLD1 × lu#Z", "farm cm#OLD2 × lu#Z"} {
		want := rules.StateAbsent
		if k == taken {
			want = ""
		}
		if got[k] != want {
			t.Errorf("%s: state %q, want %q (the tie goes to the smaller baseline fingerprint)", k, got[k], want)
		}
	}
	for _, f := range res.Findings {
		if f.Subject() == "cm#NEW × lu#Z" && (f.Review.State != rules.StateUnchanged || f.Review.PreviousFingerprint != map[bool]string{true: a.Fingerprint(), false: b.Fingerprint()}[taken == "farm cm#OLD1 × lu#Z"]) {
			t.Errorf("NEW: %+v, want unchanged from %s", f.Review, taken)
		}
	}
}

// A second entry naming a finding already decided by an earlier one
// matches a current finding, so it is not stale; only the first decides.
// Under --only, an expired decision about another layer's finding is left
// out like that finding.
func TestApplyDecisionsShadowedAndOnlyExpired(t *testing.T) {
	lu := []string{"cm", "lu"}
	f := patch("farm", lu, []string{"A", "Z"}, square(0))
	ds := []rules.Decision{
		{Rule: "farm", Features: []string{"cm#A", "lu#Z"}, Status: rules.DecisionToFix, File: "d.yaml", Line: 2},
		{Rule: "farm", Features: []string{"lu#Z", "cm#A"}, Status: rules.DecisionAccepted, Basis: "X", File: "d.yaml", Line: 5},
		{Rule: "farm", Features: []string{"other#X", "lu#Y"}, Status: rules.DecisionAccepted, Basis: "X", Expires: "2026-01-01", File: "d.yaml", Line: 9},
		{Rule: "farm", Features: []string{"cm#B", "lu#Y"}, Status: rules.DecisionAccepted, Basis: "X", Expires: "2026-01-01", File: "d.yaml", Line: 12},
	}
	res := &rules.Result{Findings: []rules.Finding{f}}
	if err := Apply(context.Background(), res, Options{Date: "2026-03-01", Decisions: ds, DecisionsFile: "d.yaml", Only: "cm"}); err != nil {
		t.Fatal(err)
	}
	var warnings []string
	for _, g := range res.Findings {
		switch g.Rule {
		case RuleDecisionStale, RuleDecisionExpired:
			warnings = append(warnings, g.Rule+" "+strconv.Itoa(g.Location.Line))
		case "farm":
			if g.Review.Decision == nil || g.Review.Decision.Line != 2 || g.Review.Waived {
				t.Errorf("decided by %+v, want the to-fix entry of line 2 (first in file order)", g.Review.Decision)
			}
		}
	}
	slices.Sort(warnings)
	if want := []string{"decision-expired 12", "decision-stale 12"}; !slices.Equal(warnings, want) {
		t.Errorf("warnings %v, want %v", warnings, want)
	}
}

// A finding matched by its patch (stage 2) is named by the baseline's
// fingerprint too; one matched by its ids (stage 1) gets no
// previous_features.
func TestApplyDecisionByBaselineFingerprint(t *testing.T) {
	lu := []string{"cm", "lu"}
	old := patch("farm", lu, []string{"OLD", "Z"}, square(0))
	ds := []rules.Decision{{Fingerprint: old.Fingerprint(), Status: rules.DecisionAccepted, Basis: "X", File: "d.yaml", Line: 2}}
	res := &rules.Result{Findings: []rules.Finding{patch("farm", lu, []string{"NEW", "Z"}, square(0))}}
	if err := Apply(context.Background(), res, Options{Date: "2026-03-01", Baseline: baselineOf(old), Decisions: ds, DecisionsFile: "d.yaml"}); err != nil {
		t.Fatal(err)
	}
	if len(res.Findings) != 1 {
		t.Fatalf("got %d findings, want the one matched (no absent, no stale)", len(res.Findings))
	}
	rv := res.Findings[0].Review
	if rv.State != rules.StateUnchanged || !rv.Waived || !slices.Equal(rv.PreviousFeatures, []string{"OLD", "Z"}) {
		t.Errorf("got %+v, want unchanged, waived by the baseline's fingerprint, previous OLD, Z", rv)
	}
}
