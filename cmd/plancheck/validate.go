package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/plancheck/plancheck/geo"
	"github.com/plancheck/plancheck/planning"
	"github.com/plancheck/plancheck/rules"
	"github.com/urfave/cli/v2"
)

func validateCommand() *cli.Command {
	return &cli.Command{
		Name:      "validate",
		Usage:     "check a plan set's structure, geometry, attributes and CRS",
		ArgsUsage: "PLANSET_DIR | --manifest FILE | FILE.geojson [--level LEVEL]",
		Flags: append(commonFlags(),
			&cli.StringFlag{Name: "level", Usage: "level of a single GeoJSON file: regional, green-heart, city-master, land-use, infrastructure, boundary"},
			&cli.StringFlag{Name: "crs", Usage: "CRS of a single GeoJSON file (default EPSG:4326)"},
			&cli.StringFlag{Name: "classification", Usage: "class table of a single land-use file"},
		),
		Action: runValidate,
	}
}

func runValidate(c *cli.Context) error {
	s, err := readSettings(c)
	if err != nil {
		return err
	}
	ctx, cancel := withTimeout(c)
	defer cancel()

	var set *planning.PlanSet
	if c.NArg() == 1 && c.String("manifest") == "" && isLayerFile(c.Args().First()) {
		set, err = singleFileSet(ctx, c, c.Args().First())
		if err == nil && c.String("level") == "" {
			// The report would read as a clean bill of health.
			fmt.Fprintln(c.App.ErrWriter, "plancheck: note: without --level only GeoJSON structure, geometry validity and coordinates were checked, not classes, years, widths or the geometry types of a level; give --level LEVEL to check them")
		}
	} else {
		if c.String("level") != "" {
			return usageError("--level applies to a single GeoJSON file, not a plan set")
		}
		var manifest string
		manifest, err = manifestArg(c)
		if err != nil {
			return err
		}
		set, err = loadSet(ctx, c, manifest, newProgress(c))
		if err == nil {
			// A rules file is part of the plan set: validate it too.
			if _, rerr := rules.LoadRules(set.Manifest.RulesPath); rerr != nil {
				err = inputError(rerr)
			}
		}
	}
	if err != nil {
		return err
	}
	rs := rules.InputRules()
	findings, err := rules.Run(ctx, set, rs, rules.Options{})
	if err != nil {
		return runError("validating", err)
	}
	return finish(c, s, newResult("validate", set, rs, findings))
}

func isLayerFile(p string) bool {
	st, err := os.Stat(p)
	if err != nil || st.IsDir() {
		return false
	}
	return planning.FileFormat(p) != ""
}

var nonName = regexp.MustCompile(`[^a-z0-9-]+`)

// singleFileSet wraps one layer file (GeoJSON, Shapefile, GeoPackage) in a plan set of one layer.
func singleFileSet(ctx context.Context, c *cli.Context, path string) (*planning.PlanSet, error) {
	spec := planning.LayerSpec{File: filepath.ToSlash(path), Path: path, CRS: geo.WGS84, Classification: c.String("classification")}
	base := strings.TrimSuffix(strings.ToLower(filepath.Base(path)), filepath.Ext(path))
	spec.Name = strings.Trim(nonName.ReplaceAllString(base, "-"), "-")
	if spec.Name == "" {
		spec.Name = "layer"
	}
	if l := c.String("level"); l != "" {
		level, err := planning.ParseLevel(l)
		if err != nil {
			return nil, usageError("--level: %v", err)
		}
		spec.Level = level
	}
	if spec.Classification != "" && !planning.ValidTable(spec.Level, spec.Classification) {
		return nil, usageError("--classification %q is not a table of level %q", spec.Classification, spec.Level)
	}
	if crs := c.String("crs"); crs != "" {
		parsed, err := geo.ParseCRS(crs)
		if err != nil {
			return nil, usageError("--crs: %v", err)
		}
		spec.CRS, spec.CRSDeclared = parsed, true
	}
	lo := loadOptions(c)
	spec.MaxVertices, spec.MaxBytes = lo.MaxVertices, lo.MaxBytes
	l, issues, err := planning.LoadLayer(ctx, spec)
	if err != nil {
		return nil, runError("loading "+path, err)
	}
	m := &planning.Manifest{Path: path, Dir: filepath.Dir(path), Name: filepath.Base(path), Layers: []planning.LayerSpec{spec}}
	year := c.Int("asof")
	return &planning.PlanSet{Manifest: m, Asof: year, Layers: []*planning.Layer{l}, Issues: issues}, nil
}

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "list the rules (default set and input checks)",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "yaml", Usage: "print the embedded default rules file, to copy and adapt"},
		},
		Action: func(c *cli.Context) error {
			w := c.App.Writer
			if c.Bool("yaml") {
				_, err := w.Write(rules.DefaultRulesYAML())
				return err
			}
			input := rules.InputRules()
			fmt.Fprintln(w, "check (default rules):")
			for _, r := range rules.All() {
				if rules.Lookup(input, r.Name) == nil {
					fmt.Fprintf(w, "  %-42s %-8s %s\n", r.Name, r.Severity, r.Title())
				}
			}
			fmt.Fprintln(w, "input checks (validate and check):")
			for _, r := range input {
				fmt.Fprintf(w, "  %-42s %-8s %s\n", r.Name, r.Severity, r.Title())
			}
			return nil
		},
	}
}
