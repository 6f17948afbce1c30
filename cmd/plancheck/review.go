package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/plancheck/plancheck/planning"
	"github.com/plancheck/plancheck/rules"
	"github.com/plancheck/plancheck/rules/report"
	"github.com/plancheck/plancheck/rules/review"
	"github.com/urfave/cli/v2"
)

// reviewFlags are check's flags of the review loop.
func reviewFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "baseline", Usage: "compare with the --out `DIR` of an earlier check: findings get a state (new, unchanged, updated, absent) and --fail-on counts only new and updated ones"},
		&cli.StringFlag{Name: "date", Usage: "the run `DATE` (YYYY-MM-DD) decisions expire against and new findings are first seen on (default: SOURCE_DATE_EPOCH, else today)"},
		&cli.StringFlag{Name: "path-base", Usage: "write file paths of SARIF, GitHub and JUnit output relative to `DIR` (default: the working directory, a CI job's repository root)"},
	}
}

// runDate is --date, else the day of SOURCE_DATE_EPOCH (the
// reproducible-builds convention, so a rerun can give byte-identical
// reports), else today.
func runDate(c *cli.Context) (string, error) {
	if d := c.String("date"); d != "" {
		t, err := time.Parse("2006-01-02", d)
		if err != nil {
			return "", usageError("--date %q is not a date YYYY-MM-DD", d)
		}
		return t.Format("2006-01-02"), nil
	}
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return "", usageError("SOURCE_DATE_EPOCH %q is not a number of seconds", s)
		}
		return time.Unix(sec, 0).UTC().Format("2006-01-02"), nil
	}
	return time.Now().Format("2006-01-02"), nil
}

// applyReview compares res with the baseline (--baseline) and applies the
// plan set's decisions file, then states where files are seen from.
func applyReview(ctx context.Context, c *cli.Context, set *planning.PlanSet, res *rules.Result) error {
	date, err := runDate(c)
	if err != nil {
		return err
	}
	opts := review.Options{Date: date, Only: res.Only}
	if dir := c.String("baseline"); dir != "" {
		base, err := review.LoadBaseline(dir)
		if err != nil {
			return inputError(err)
		}
		if only := res.Only; only != "" {
			// Findings of other layers were not looked for: they are not
			// absent.
			base.Findings = slices.DeleteFunc(base.Findings, func(f rules.Finding) bool { return !slices.Contains(f.Layers, only) })
		}
		opts.Baseline = base
	}
	if m := set.Manifest; m.DecisionsPath != "" {
		ds, err := review.ReadDecisions(m.DecisionsPath, filepath.ToSlash(m.Decisions))
		if err != nil {
			// Findings name the file as the manifest does; an error names
			// it as the user can open it, like a manifest error.
			var de *review.DecisionError
			if errors.As(err, &de) {
				de.File = filepath.ToSlash(m.DecisionsPath)
			}
			return inputError(err)
		}
		opts.Decisions = ds
		if opts.Decisions == nil {
			opts.Decisions = []rules.Decision{}
		}
		opts.DecisionsFile = filepath.ToSlash(m.Decisions)
	}
	if opts.Baseline == nil && opts.Decisions == nil {
		res.Date = date
		return nil
	}
	if err := review.Apply(ctx, res, opts); err != nil {
		return runError("comparing with the baseline", err)
	}
	return nil
}

// sourceRoot is the plan set's directory as seen from --path-base (default
// the working directory), slash-separated.
func sourceRoot(c *cli.Context, manifest string) (string, error) {
	base := c.String("path-base")
	if base == "" {
		wd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		base = wd
	}
	absBase, err := filepath.Abs(base)
	if err != nil {
		return "", usageError("--path-base: %v", err)
	}
	dir, err := filepath.Abs(filepath.Dir(manifest))
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absBase, dir)
	if err != nil {
		// Another volume (Windows): the absolute path is the only name.
		return filepath.ToSlash(dir), nil
	}
	return filepath.ToSlash(rel), nil
}

func decisionsCommand() *cli.Command {
	return &cli.Command{
		Name:  "decisions",
		Usage: "keep the review decisions (协调意见) of a plan set",
		Subcommands: []*cli.Command{
			{
				Name:      "init",
				Usage:     "write a commented decisions skeleton for every finding of a report directory",
				ArgsUsage: " ",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "from", Usage: "the --out `DIR` of a check (required)"},
					&cli.StringFlag{Name: "out", Usage: "write to `FILE` (default: standard output); an existing file is not overwritten"},
					&cli.StringFlag{Name: "date", Usage: "the `DATE` (YYYY-MM-DD) entries are dated (default: today)"},
				},
				Action: runDecisionsInit,
			},
			{
				Name:      "import",
				Usage:     "merge the decisions filled into a ledger.xlsx (协调方式, 处理意见, 处理状态, 依据文号, 有效期至) into a decisions file",
				ArgsUsage: "LEDGER.xlsx",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "into", Usage: "the decisions `FILE` to update, created when missing (required)"},
					&cli.StringFlag{Name: "date", Usage: "the `DATE` (YYYY-MM-DD) new entries are dated (default: today)"},
					&cli.StringFlag{Name: "by", Usage: "who decided (`NAME`, e.g. the bureau), for new entries"},
				},
				Action: runDecisionsImport,
			},
		},
	}
}

func runDecisionsInit(c *cli.Context) error {
	if c.NArg() > 0 {
		return usageError("decisions init takes no arguments (give --from DIR)")
	}
	if err := requireFlags(c, "from"); err != nil {
		return err
	}
	date, err := runDate(c)
	if err != nil {
		return err
	}
	text, err := review.Skeleton(c.String("from"), date)
	if err != nil {
		return inputError(err)
	}
	out := c.String("out")
	if out == "" {
		_, err := c.App.Writer.Write(text)
		return err
	}
	if _, err := os.Stat(out); err == nil {
		return usageError("%s exists: decisions init does not overwrite a decisions file (use decisions import to merge)", out)
	}
	return writeFileAtomic(out, text)
}

func runDecisionsImport(c *cli.Context) error {
	if c.NArg() != 1 {
		return usageError("decisions import needs one ledger.xlsx")
	}
	if err := requireFlags(c, "into"); err != nil {
		return err
	}
	date, err := runDate(c)
	if err != nil {
		return err
	}
	rows, problems, err := review.ReadLedger(c.Args().First())
	if err != nil {
		return inputError(err)
	}
	// The check that wrote the ledger says which findings were matched to
	// the baseline by their patch: their decisions may name the old ids.
	if rep := filepath.Join(filepath.Dir(c.Args().First()), "report.json"); fileExists(rep) {
		if err := review.LinkPrevious(rows, rep); err != nil {
			return inputError(err)
		}
	}
	into := c.String("into")
	existing, err := os.ReadFile(into)
	if err != nil && !os.IsNotExist(err) {
		return inputError(err)
	}
	merged, stats, err := review.Merge(existing, filepath.Base(into), rows, review.MergeOptions{Date: date, By: c.String("by")})
	if err != nil {
		return inputError(err)
	}
	for _, p := range problems {
		fmt.Fprintln(c.App.ErrWriter, "plancheck: not imported:", p)
	}
	if err := writeFileAtomic(into, merged); err != nil {
		return inputError(err)
	}
	fmt.Fprintf(c.App.ErrWriter, "plancheck: %s: %d added, %d updated, %d unchanged, %d rows not imported\n", into, stats.Added, stats.Updated, stats.Unchanged, len(problems))
	if len(problems) > 0 {
		return &exitError{code: exitFindings}
	}
	return nil
}

// writeFileAtomic writes data to a temporary file beside path and renames
// it into place, so a decisions file is never half-written.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".plancheck-tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr != nil || cerr != nil {
		os.Remove(tmp.Name())
		if werr != nil {
			return werr
		}
		return cerr
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// writeStepSummary appends report.md to the GitHub Actions job summary
// when annotations are written inside a workflow: GitHub shows only ten
// annotations of each level, and the summary tells the whole story on the
// run page.
func writeStepSummary(format string, res *rules.Result) error {
	path := os.Getenv("GITHUB_STEP_SUMMARY")
	if format != "github" || path == "" {
		return nil
	}
	var md bytes.Buffer
	if err := report.Markdown(&md, res); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", err)
	}
	_, werr := f.Write(md.Bytes())
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return fmt.Errorf("GITHUB_STEP_SUMMARY: %w", werr)
	}
	return nil
}

func fileExists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}
