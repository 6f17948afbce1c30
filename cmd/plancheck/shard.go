package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/plancheck/plancheck/planning"
	"github.com/plancheck/plancheck/planning/tiling"
	"github.com/plancheck/plancheck/rules"
	"github.com/urfave/cli/v2"
)

// partFile is the file a tile's check writes into its --out directory.
const partFile = "part.gob"

// shardEnv are the variables schedulers set to a task's index, in the
// order --shard auto reads them.
var shardEnv = []string{"JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID", "PLANCHECK_SHARD"}

func shardFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "shard", Usage: "check tile `K` of a tiled directory (plancheck tile); auto takes K from " + strings.Join(shardEnv, ", ")},
	}
}

func tileCommand() *cli.Command {
	return &cli.Command{
		Name:      "tile",
		Usage:     "split a plan set into tiles that separate machines check (then plancheck merge the parts)",
		ArgsUsage: "PLANSET_DIR",
		Flags: append(commonFlags(),
			&cli.IntFlag{Name: "tiles", Usage: "the number of tiles `N` (required)"},
			&cli.StringFlag{Name: "out", Usage: "write DIR/tile-0 … DIR/tile-(N-1) into `DIR` (required)"},
		),
		Action: func(c *cli.Context) error {
			if err := requireFlags(c, "tiles", "out"); err != nil {
				return err
			}
			n := c.Int("tiles")
			if n < 1 || n > 100000 {
				return usageError("--tiles %d: want 1 to 100000", n)
			}
			manifest, err := manifestArg(c)
			if err != nil {
				return err
			}
			ctx, cancel := withTimeout(c)
			defer cancel()
			sum, err := tiling.Write(ctx, manifest, n, c.String("out"), loadOptions(c))
			if err != nil {
				return runError("tiling", err)
			}
			w := c.App.Writer
			fmt.Fprintf(w, "%d tiles in %s (halo %.6f°)\n", n, c.String("out"), sum.HaloDeg)
			for k, t := range sum.Tiles {
				fmt.Fprintf(w, "  tile-%d  %d features  [%g %g, %g %g)\n", k, sum.Features[k], t.Min[0], t.Min[1], t.Max[0], t.Max[1])
			}
			return nil
		},
	}
}

// shardManifest resolves check --shard: the manifest of tile K of the
// tiled directory given as argument.
func shardManifest(c *cli.Context) (string, error) {
	shard := c.String("shard")
	if c.NArg() != 1 {
		return "", usageError("--shard needs the tiled directory (plancheck tile --out DIR) as argument")
	}
	if shard == "auto" {
		shard = ""
		for _, name := range shardEnv {
			if v := os.Getenv(name); v != "" {
				shard = v
				break
			}
		}
		if shard == "" {
			return "", usageError("--shard auto: none of %s is set", strings.Join(shardEnv, ", "))
		}
	}
	k, err := strconv.Atoi(shard)
	if err != nil || k < 0 {
		return "", usageError("--shard %q: want a tile number or auto", shard)
	}
	m, err := planning.FindManifest(filepath.Join(c.Args().First(), "tile-"+strconv.Itoa(k)))
	if err != nil {
		return "", inputError(err)
	}
	return m, nil
}

// runTileCheck checks one tile: the sharded rules, keeping the findings
// whose reference point the tile owns, written to --out for merge.
func runTileCheck(ctx context.Context, c *cli.Context, manifest string, minArea float64, prog *progress) error {
	if c.String("out") == "" {
		return usageError("checking a tile writes its part for plancheck merge: give --out DIR")
	}
	if c.String("only") != "" || c.String("baseline") != "" {
		return usageError("--only and --baseline apply to the merged result: give them to plancheck merge")
	}
	set, info, err := tiling.Load(ctx, manifest, loadOptions(c), time.Now().Year())
	if err != nil {
		return inputError(err)
	}
	rs, err := rules.LoadRules(set.Manifest.RulesPath)
	if err != nil {
		return inputError(err)
	}
	sharded, _ := rules.Split(rs)
	found, err := rules.Run(ctx, set, sharded, rules.Options{MinAreaM2: minArea, Progress: prog.phase("rules", len(sharded))})
	if err != nil {
		return runError("checking", err)
	}
	tiles := info.Boxes()
	part := &rules.Part{Tile: info.Index, Tiles: info.Count, Source: info.Source, MinAreaM2: minArea}
	for _, in := range info.Inputs {
		part.Inputs = append(part.Inputs, in.Layer+" "+in.SHA256+" "+strconv.Itoa(in.Features))
	}
	for _, r := range sharded {
		part.Rules = append(part.Rules, r.Name)
	}
	bounds := rules.NewFeatureBounds(set)
	for _, f := range found {
		owner := 0 // what cannot be placed goes to tile 0, never lost
		if b, ok := bounds.Of(f); ok {
			if len(b) == 2 {
				owner = tiling.Owner(tiles, tiling.PairPoint(b[0], b[1]))
			} else {
				owner = tiling.Owner(tiles, tiling.FeaturePoint(b[0]))
			}
		}
		if owner == info.Index {
			part.Findings = append(part.Findings, f)
		}
	}
	var buf bytes.Buffer
	if err := rules.WritePart(&buf, part); err != nil {
		return runError("writing the part", err)
	}
	out := c.String("out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return inputError(err)
	}
	if err := writeFileAtomic(filepath.Join(out, partFile), buf.Bytes()); err != nil {
		return inputError(err)
	}
	fmt.Fprintf(c.App.Writer, "tile %d of %d: %d findings owned (%d computed) in %s\n", info.Index, info.Count, len(part.Findings), len(found), filepath.Join(out, partFile))
	return nil
}

func mergeCommand() *cli.Command {
	return &cli.Command{
		Name:      "merge",
		Usage:     "merge the parts of a tiled check into the reports one check of the whole set writes",
		ArgsUsage: "PART_DIR...",
		Flags: append(append(commonFlags(),
			&cli.StringFlag{Name: "out", Usage: "write the reports into `DIR` (as check --out)"},
			outCRSFlag,
		), reviewFlags()...),
		Action: runMerge,
	}
}

func runMerge(c *cli.Context) error {
	s, err := readSettings(c)
	if err != nil {
		return err
	}
	if c.NArg() == 0 {
		return usageError("merge needs the --out directories of the tiles' checks")
	}
	var parts []*rules.Part
	for _, arg := range c.Args().Slice() {
		p := arg
		if st, err := os.Stat(arg); err == nil && st.IsDir() {
			p = filepath.Join(arg, partFile)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return inputError(fmt.Errorf("merge: %w", err))
		}
		part, err := rules.ReadPart(bytes.NewReader(data))
		if err != nil {
			return inputError(fmt.Errorf("merge: %s: %w", p, err))
		}
		parts = append(parts, part)
	}
	first := parts[0]
	seen := make([]bool, first.Tiles)
	for i, p := range parts {
		switch {
		case p.Tiles != first.Tiles || p.Source != first.Source || !slices.Equal(p.Inputs, first.Inputs) || !slices.Equal(p.Rules, first.Rules):
			return inputError(fmt.Errorf("merge: %s comes from another tiling than %s", c.Args().Get(i), c.Args().Get(0)))
		case p.MinAreaM2 != first.MinAreaM2:
			return inputError(fmt.Errorf("merge: %s was checked with --min-area %v, %s with %v", c.Args().Get(i), p.MinAreaM2, c.Args().Get(0), first.MinAreaM2))
		case p.Tile < 0 || p.Tile >= p.Tiles || seen[p.Tile]:
			return inputError(fmt.Errorf("merge: tile %d given twice (or out of range)", p.Tile))
		}
		seen[p.Tile] = true
	}
	var missing []string
	for k, ok := range seen {
		if !ok {
			missing = append(missing, strconv.Itoa(k))
		}
	}
	if len(missing) > 0 {
		return inputError(fmt.Errorf("merge: tiles %s of %d are missing: every tile's part is needed", strings.Join(missing, ", "), first.Tiles))
	}
	manifest := c.String("manifest")
	if manifest == "" {
		manifest = first.Source
	}
	ctx, cancel := withTimeout(c)
	defer cancel()
	prog := newProgress(c)
	defer prog.finish()
	set, err := loadSet(ctx, c, manifest, prog)
	if err != nil {
		return err
	}
	var inputs []string
	for _, l := range set.Layers {
		inputs = append(inputs, l.Name+" "+l.Data.SHA256+" "+strconv.Itoa(len(l.Features)))
	}
	if !slices.Equal(inputs, first.Inputs) {
		return inputError(fmt.Errorf("merge: the plan set %s changed since it was tiled (its layers' digests differ): tile it again", manifest))
	}
	rs, err := rules.LoadRules(set.Manifest.RulesPath)
	if err != nil {
		return inputError(err)
	}
	sharded, whole := rules.Split(rs)
	var names []string
	for _, r := range sharded {
		names = append(names, r.Name)
	}
	if !slices.Equal(names, first.Rules) {
		return inputError(fmt.Errorf("merge: the tiles ran rules %v, the plan set now has %v", first.Rules, names))
	}
	// The rules that need whole layers run here, on the whole set.
	findings, err := rules.Run(ctx, set, whole, rules.Options{MinAreaM2: first.MinAreaM2, Progress: prog.phase("rules", len(whole))})
	if err != nil {
		return runError("checking", err)
	}
	for _, p := range parts {
		findings = append(findings, p.Findings...)
	}
	rules.SortFindings(findings)
	return reportRun(ctx, c, s, manifest, set, rs, findings, first.MinAreaM2)
}
