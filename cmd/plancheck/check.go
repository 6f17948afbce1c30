package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
	"github.com/plancheck/plancheck/planning/tiling"
	"github.com/plancheck/plancheck/rules"
	"github.com/plancheck/plancheck/rules/report"
	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func commonFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "manifest", Usage: "path of the plan set's `FILE` (instead of a directory argument)"},
		&cli.StringFlag{Name: "format", Value: "text", Usage: "standard output format: " + strings.Join(report.Formats, ", ")},
		&cli.StringFlag{Name: "fail-on", Value: "error", Usage: "exit 1 when a finding is at or above this severity: error, warning or info"},
		&cli.IntFlag{Name: "asof", Usage: fmt.Sprintf("the `YEAR` checks are made for (%d–%d)", planning.MinYear, planning.MaxYear), DefaultText: "the manifest's asof, else the current year"},
		&cli.BoolFlag{Name: "allow-outside", Usage: "let the manifest name files outside its directory"},
		&cli.DurationFlag{Name: "timeout", Usage: "give up after this long (e.g. 10m); 0 means no limit"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress messages on stderr"},
		&cli.IntFlag{Name: "max-vertices", Value: geo.DefaultMaxVertices, Usage: "a feature with more positions is a geometry-invalid finding (at least 4)"},
		&cli.Int64Flag{Name: "max-file-size", Value: geo.DefaultMaxBytes, Usage: "refuse layer files larger than this many bytes (at least 1)"},
	}
}

func checkCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "run the conflict rules over a plan set and write conflict reports",
		ArgsUsage: "PLANSET_DIR",
		Flags: append(append(commonFlags(),
			&cli.StringFlag{Name: "out", Usage: "write the reports (" + outFiles() + ") into `DIR`"},
			outCRSFlag,
			&cli.Float64Flag{Name: "min-area", Value: rules.DefaultMinAreaM2, Usage: "smallest conflict patch reported, in m²"},
			&cli.StringFlag{Name: "only", Usage: "only findings involving `LAYER` (check a new layer against the rest)"},
			&cli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile to `FILE` (for performance work)", Hidden: true},
		), append(reviewFlags(), shardFlags()...)...),
		Action: runCheck,
	}
}

// settings read from flags shared by check and validate.
type runSettings struct {
	format string
	failOn rules.Severity
}

func readSettings(c *cli.Context) (runSettings, error) {
	s := runSettings{format: c.String("format")}
	if !slices.Contains(report.Formats, s.format) {
		return s, usageError("unknown --format %q (want %s)", s.format, strings.Join(report.Formats, ", "))
	}
	sev, err := rules.ParseSeverity(c.String("fail-on"))
	if err != nil {
		return s, usageError("--fail-on: %v", err)
	}
	s.failOn = sev
	if y := c.Int("asof"); c.IsSet("asof") && (y < planning.MinYear || y > planning.MaxYear) {
		return s, usageError("--asof %d is not a year from %d to %d", y, planning.MinYear, planning.MaxYear)
	}
	if n := c.Int("max-vertices"); n < 4 {
		return s, usageError("--max-vertices %d: want at least 4 (the smallest ring)", n)
	}
	if n := c.Int64("max-file-size"); n < 1 {
		return s, usageError("--max-file-size %d: want a number of bytes >= 1", n)
	}
	if d := c.Duration("timeout"); d < 0 {
		return s, usageError("--timeout %v: want a duration >= 0 (0: no limit)", d)
	}
	return s, nil
}

func withTimeout(c *cli.Context) (context.Context, context.CancelFunc) {
	if d := c.Duration("timeout"); d > 0 {
		return context.WithTimeout(c.Context, d)
	}
	return context.WithCancel(c.Context)
}

// manifestArg resolves the plan set from a directory argument or --manifest.
func manifestArg(c *cli.Context) (string, error) {
	if m := c.String("manifest"); m != "" {
		if c.NArg() > 0 {
			return "", usageError("give either a plan-set directory or --manifest, not both")
		}
		return m, checkManifest(c, m)
	}
	if c.NArg() != 1 {
		return "", usageError("%s needs one plan-set directory (or --manifest FILE)", c.Command.Name)
	}
	p, err := planning.FindManifest(c.Args().First())
	if err != nil {
		return "", inputError(err)
	}
	return p, checkManifest(c, p)
}

// checkManifest reads the manifest once before anything else looks into
// it, so that a bad one is explained by the manifest reader (the line of
// the problem, GBK, a layer given as a plan set) whatever reads it next.
func checkManifest(c *cli.Context, path string) error {
	if _, err := planning.ReadManifest(path, loadOptions(c)); err != nil {
		return inputError(err)
	}
	return nil
}

func loadSet(ctx context.Context, c *cli.Context, manifest string, prog *progress) (*planning.PlanSet, error) {
	opts := loadOptions(c)
	if m, err := planning.ReadManifest(manifest, opts); err == nil {
		opts.Progress = prog.phase("loading", len(m.Layers))
	}
	set, err := planning.LoadPlanSet(ctx, manifest, opts, time.Now().Year())
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, inputError(fmt.Errorf("cancelled while loading: %w", err))
		}
		return nil, inputError(err)
	}
	if y := c.Int("asof"); y != 0 {
		set.Asof = y
	}
	return set, nil
}

func loadOptions(c *cli.Context) planning.ManifestOptions {
	return planning.ManifestOptions{AllowOutside: c.Bool("allow-outside"), MaxVertices: c.Int("max-vertices"), MaxBytes: c.Int64("max-file-size"),
		Settings: rules.ManifestSettings}
}

func runCheck(c *cli.Context) error {
	s, err := readSettings(c)
	if err != nil {
		return err
	}
	minArea := c.Float64("min-area")
	if !(minArea >= 0) || math.IsInf(minArea, 0) {
		return usageError("--min-area %v: want a finite number of m² >= 0", c.Float64("min-area"))
	}
	var manifest string
	if c.String("shard") != "" {
		manifest, err = shardManifest(c)
	} else {
		manifest, err = manifestArg(c)
	}
	if err != nil {
		return err
	}
	if p := c.String("cpuprofile"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return usageError("--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return usageError("--cpuprofile: %v", err)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, cancel := withTimeout(c)
	defer cancel()
	prog := newProgress(c)
	defer prog.finish()
	if _, isTile, err := tiling.ReadInfo(manifest); err != nil {
		return inputError(err)
	} else if isTile {
		return runTileCheck(ctx, c, manifest, minArea, prog)
	}
	set, err := loadSet(ctx, c, manifest, prog)
	if err != nil {
		return err
	}
	if only := c.String("only"); only != "" && set.Layer(only) == nil {
		return usageError("--only: the plan set has no layer %q", only)
	}
	rs, err := rules.LoadRules(set.Manifest.RulesPath)
	if err != nil {
		return inputError(err)
	}
	findings, err := rules.Run(ctx, set, rs, rules.Options{MinAreaM2: minArea, Progress: prog.phase("rules", len(rs))})
	if err != nil {
		return runError("checking", err)
	}
	if only := c.String("only"); only != "" {
		findings = slices.DeleteFunc(findings, func(f rules.Finding) bool { return !slices.Contains(f.Layers, only) })
	}
	return reportRun(ctx, c, s, manifest, set, rs, findings, minArea)
}

// reportRun is the end of a check, and of a merge: the result, districts,
// the review step, and the reports.
func reportRun(ctx context.Context, c *cli.Context, s runSettings, manifest string, set *planning.PlanSet, rs []*rules.Rule, findings []rules.Finding, minArea float64) error {
	res := newResult("check", set, rs, findings)
	res.MinAreaM2 = minArea
	res.Only = c.String("only")
	if err := rules.AssignDistricts(ctx, set, res); err != nil {
		return runError("assigning districts", err)
	}
	if err := applyReview(ctx, c, set, res); err != nil {
		return err
	}
	var err error
	if res.SourceRoot, err = sourceRoot(c, manifest); err != nil {
		return inputError(err)
	}
	if res.OutCRS, err = outCRS(c.String("out-crs"), set); err != nil {
		return err
	}
	if out := c.String("out"); out != "" {
		if err := report.WriteDir(ctx, out, res, report.DirOptions{Inputs: inputFiles(set)}); err != nil {
			return runError("writing reports", err)
		}
	}
	return finish(c, s, res)
}

var outCRSFlag = &cli.StringFlag{Name: "out-crs", Usage: "write conflicts.gpkg in `CRS`: EPSG:4490 or a CGCS2000 Gauss–Krüger zone (EPSG:4513–4554), or \"layers\" for the zone the plan set's layers declare (default EPSG:4326; GeoJSON and KML stay lon/lat)"}

// outCRS is the CRS --out-crs names, nil for the default (EPSG:4326).
func outCRS(value string, set *planning.PlanSet) (*geo.CRS, error) {
	switch value {
	case "":
		return nil, nil
	case "layers":
		var zone *geo.CRS
		for _, l := range set.Layers {
			c := l.CRS
			if c.Geographic || c.EPSG == 0 {
				continue
			}
			if zone != nil && zone.EPSG != c.EPSG {
				return nil, usageError("--out-crs layers: the layers declare two zones (%s and %s); name one, e.g. --out-crs %s", zone, c, zone)
			}
			zone = &c
		}
		if zone == nil {
			return nil, usageError("--out-crs layers: no layer of the plan set declares a Gauss–Krüger zone; name one, e.g. --out-crs EPSG:4547")
		}
		return zone, nil
	}
	c, err := geo.ParseCRS(value)
	if err != nil || c.Shift != geo.NoShift || c.WKT() == "" {
		return nil, usageError("--out-crs %q: want EPSG:4326, EPSG:4490, a CGCS2000 Gauss–Krüger zone EPSG:4513–4554, or layers", value)
	}
	return &c, nil
}

// outFiles names the files of --out, for the usage text.
func outFiles() string {
	var names []string
	for _, o := range report.Outputs {
		if o.File != "" {
			names = append(names, o.File)
		}
	}
	return strings.Join(names, ", ")
}

// inputFiles are the plan set's own files, which --out must never replace.
func inputFiles(set *planning.PlanSet) []string {
	m := set.Manifest
	files := []string{m.Path}
	for _, l := range m.Layers {
		if l.Path != "" {
			files = append(files, l.Path)
		}
	}
	for _, f := range []string{m.RulesPath, m.DecisionsPath} {
		if f != "" {
			files = append(files, f)
		}
	}
	return files
}

// runError is exit 2 for an error of a run phase; when Ctrl-C or
// --timeout ended the run it says so, rather than reading as a failing
// rule ("rules: layer-overlap: context deadline exceeded").
func runError(phase string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return inputError(fmt.Errorf("cancelled while %s: %w", phase, err))
	}
	return inputError(err)
}

// finish writes the standard-output report and turns findings into the
// exit code.
func finish(c *cli.Context, s runSettings, res *rules.Result) error {
	var buf bytes.Buffer
	var err error
	if s.format == "junit" {
		// JUnit marks as failures only what --fail-on counts.
		err = report.JUnitFailOn(&buf, res, s.failOn)
	} else {
		err = report.Write(&buf, s.format, res)
	}
	if err != nil {
		return usageError("%v", err)
	}
	if _, err := c.App.Writer.Write(buf.Bytes()); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if err := writeStepSummary(s.format, res); err != nil {
		return inputError(err)
	}
	if res.CountAtOrAbove(s.failOn) > 0 {
		return &exitError{code: exitFindings}
	}
	return nil
}

func newResult(command string, set *planning.PlanSet, rs []*rules.Rule, findings []rules.Finding) *rules.Result {
	res := &rules.Result{
		Tool:     "plancheck",
		Version:  version,
		Command:  command,
		PlanSet:  set.Manifest.Name,
		Asof:     set.Asof,
		Findings: findings,
	}
	for _, r := range rs {
		res.Rules = append(res.Rules, r.Info())
	}
	for _, l := range set.Layers {
		res.Inputs = append(res.Inputs, rules.NewInput(l))
		ml := rules.MapLayer{Name: l.Name, Level: string(l.Level)}
		for _, f := range l.Features {
			if f.Geometry != nil && !f.Invalid {
				ml.Features = append(ml.Features, f.Geometry)
			}
		}
		res.Map = append(res.Map, ml)
	}
	rules.SortFindings(res.Findings)
	return res
}

// progress shows one bar per phase on stderr when it is a terminal and
// --quiet is not given; otherwise it is silent.
type progress struct {
	out io.Writer
	on  bool
	bar *progressbar.ProgressBar
}

func newProgress(c *cli.Context) *progress {
	return &progress{out: c.App.ErrWriter, on: !c.Bool("quiet") && isTerminal(c.App.ErrWriter)}
}

// phase returns the callback that advances a new bar of total steps.
func (p *progress) phase(what string, total int) func(done, total int, item string) {
	if !p.on {
		return nil
	}
	p.finish()
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(p.out),
		progressbar.OptionSetDescription(fmt.Sprintf("%-8s", what)),
		progressbar.OptionShowCount(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)
	bar := p.bar
	return func(done, total int, item string) {
		bar.Describe(fmt.Sprintf("%-8s %s", what, item))
		_ = bar.Set(done)
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		p.bar = nil
	}
}

// isTerminal asks the terminal driver, so /dev/null (also a character
// device) does not count.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
