package org.imprint.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.imprint.io.BadInputException;
import org.imprint.models.llama.Llama;
import org.imprint.models.llama.LlamaConfig;
import org.imprint.models.llama.TextCorpus;
import org.imprint.optim.Optimizer;
import org.imprint.tensor.DType;
import org.imprint.tensor.Rng;
import org.imprint.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * E5: optimizer-state memory, counted from the live state after one step of the LM and checked against the
 * formulas (AdamW 2mn, Muon mn, GaLore r·(min + 2·max), SUMO r·(m + n) per hidden m×n matrix; AdamW's 2 per
 * value elsewhere), then the formulas evaluated on the paper's LLaMA-60M … 1B shapes.
 */
@Command(
        name = "e5",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "E5: optimizer-state memory. Builds the LM, takes one step with each optimizer, counts the floats and bytes",
            "of the live state tensors (step counters listed apart) and checks them against the formulas; then evaluates",
            "weights + state on the LLaMA-60M/130M/350M/1B shapes of GaLore's C4 protocol (bf16, 2 bytes per value),",
            "next to the estimates of SUMO's Table 3."})
public final class SumoMemoryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    LlamaSizeOptions size = new LlamaSizeOptions();

    @Option(names = "--rank", defaultValue = "16", description = "Rank r of GaLore and SUMO on the LM. Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--text", description = "Text corpus (default: data/tinyshakespeare/input.txt).")
    Path text;

    @Option(names = "--out", defaultValue = "runs/sumo-e5", description = "Output folder. Default: ${DEFAULT-VALUE}.")
    Path out;

    /** Floats of optimizer state per hidden m×n matrix by formula. */
    static long matrixStateFloats(String optimizer, int m, int n, int rank) {
        int r = Math.min(rank, Math.min(m, n));
        return switch (optimizer) {
            case "adamw" -> 2L * m * n;
            case "muon" -> (long) m * n;
            case "galore" -> (long) r * (Math.min(m, n) + 2L * Math.max(m, n));
            case "sumo", "sumo-ns5" -> (long) r * (m + n);
            default -> throw new IllegalArgumentException(optimizer);
        };
    }

    /** A LLaMA shape of GaLore's C4 protocol with the rank SUMO's Table 3 uses, and the paper's estimates (GB). */
    record PaperShape(String name, int dim, int ffn, int layers, int vocab, int rank, double fullGb, double galoreGb, double sumoGb) {}

    static final List<PaperShape> PAPER = List.of(
            new PaperShape("LLaMA-60M", 512, 1376, 8, 32000, 128, 0.36, 0.24, 0.23),
            new PaperShape("LLaMA-130M", 768, 2048, 12, 32000, 256, 0.76, 0.52, 0.51),
            new PaperShape("LLaMA-350M", 1024, 2736, 24, 32000, 256, 2.06, 1.22, 1.16),
            new PaperShape("LLaMA-1B", 2048, 5461, 24, 32000, 512, 7.80, 4.38, 3.84));

    @Override
    public Integer call() {
        if (rank < 1) throw new BadInputException("--rank must be >= 1, got " + rank);
        LlamaConfig mc = size.config(64);
        ExperimentOutput o = new ExperimentOutput(out, "E5: optimizer-state memory",
                "LM: " + mc + ", rank " + rank + ", float32 model (matrix-optimizer state is float64 in Imprint: its bytes are reported as stored).",
                spec.commandLine().getOut());
        TextCorpus corpus = TextCorpus.read(text != null ? text : org.imprint.data.ImageDatasets.defaultDataRoot().resolve("tinyshakespeare").resolve("input.txt"));
        TextCorpus.Batch b = corpus.trainBatch(0, 0, 2, mc.context());
        List<List<String>> rows = new ArrayList<>();
        ArrayNode live = o.results.putArray("live");
        for (String name : List.of("adamw", "muon", "galore", "sumo", "sumo-ns5")) {
            Llama model = Llama.initialise(mc, DType.F32, new Rng(0));
            Map<String, String> opts = new LinkedHashMap<>();
            if (name.equals("galore") || name.startsWith("sumo")) opts.put("rank", Integer.toString(rank));
            Optimizer opt = LmCommand.buildOptimizer(name, model, 0.01, 0.001, opts);
            model.loss(b.inputs(), b.targets(), b.batch(), b.length()).backward();
            opt.step();
            long hiddenFloats = 0, otherFloats = 0, bytes = 0, counters = 0, expectedHidden = 0, expectedOther = 0;
            List<Tensor> hidden = name.equals("adamw") ? List.of() : model.hiddenMatrices();
            for (Tensor p : model.parameters()) {
                boolean isHidden = hidden.contains(p);
                if (isHidden) expectedHidden += matrixStateFloats(name, p.dim(0), p.dim(1), rank);
                else if (name.equals("adamw") && p.rank() == 2 && model.hiddenMatrices().contains(p)) expectedHidden += 2L * p.size();
                else expectedOther += 2L * p.size();
                Map<String, Tensor> s = opt.state(p);
                if (s == null) continue;
                for (Tensor t : s.values()) {
                    if (t.rank() == 0) { counters++; continue; }
                    bytes += (long) t.size() * (t.dtype() == DType.F64 ? 8 : 4);
                    if (isHidden || (name.equals("adamw") && model.hiddenMatrices().contains(p))) hiddenFloats += t.size();
                    else otherFloats += t.size();
                }
            }
            boolean ok = hiddenFloats == expectedHidden && otherFloats == expectedOther;
            live.addObject().put("optimizer", name).put("hidden_state_floats", hiddenFloats).put("hidden_formula", expectedHidden)
                .put("other_state_floats", otherFloats).put("other_formula", expectedOther).put("state_bytes", bytes)
                .put("scalar_counters", counters).put("matches_formula", ok);
            rows.add(ExperimentOutput.row(name, hiddenFloats, expectedHidden, otherFloats, expectedOther, hiddenFloats + otherFloats,
                    String.format(java.util.Locale.ROOT, "%.1f", bytes / 1024.0), counters, ok ? "yes" : "NO"));
        }
        long hiddenValues = model(mc).hiddenMatrices().stream().mapToLong(Tensor::size).sum();
        o.table("Live optimizer state after one step on the LM (" + mc.parameterCount() + " parameters, " + hiddenValues + " in hidden matrices)",
                List.of("optimizer", "hidden-matrix state floats", "formula", "other state floats", "formula (2 per value)", "total floats", "state KiB", "scalar counters", "matches"),
                rows);

        List<List<String>> paper = new ArrayList<>();
        ArrayNode shapes = o.results.putArray("paper_shapes");
        for (PaperShape s : PAPER) {
            long hidden = 0, other = 2L * s.vocab() * s.dim() + (2L * s.layers() + 1) * s.dim();
            long[] state = new long[5]; // adamw, muon, galore, sumo, galore-vs-sumo check
            int[][] mats = {{s.dim(), s.dim()}, {s.dim(), s.dim()}, {s.dim(), s.dim()}, {s.dim(), s.dim()}, {s.ffn(), s.dim()}, {s.dim(), s.ffn()}, {s.ffn(), s.dim()}};
            for (int l = 0; l < s.layers(); l++) {
                for (int[] mat : mats) {
                    hidden += (long) mat[0] * mat[1];
                    state[0] += matrixStateFloats("adamw", mat[0], mat[1], s.rank());
                    state[1] += matrixStateFloats("muon", mat[0], mat[1], s.rank());
                    state[2] += matrixStateFloats("galore", mat[0], mat[1], s.rank());
                    state[3] += matrixStateFloats("sumo", mat[0], mat[1], s.rank());
                }
            }
            long weights = hidden + other;
            double gb = 2.0 / 1e9; // bf16
            double adamw = (weights + state[0] + 2 * other) * gb, muon = (weights + state[1] + 2 * other) * gb;
            double galore = (weights + state[2] + 2 * other) * gb, sumo = (weights + state[3] + 2 * other) * gb;
            shapes.addObject().put("model", s.name()).put("parameters", weights).put("rank", s.rank()).put("adamw_gb", adamw)
                  .put("muon_gb", muon).put("galore_gb", galore).put("sumo_gb", sumo).put("paper_full_gb", s.fullGb())
                  .put("paper_galore_gb", s.galoreGb()).put("paper_sumo_gb", s.sumoGb());
            paper.add(ExperimentOutput.row(s.name(), String.format(java.util.Locale.ROOT, "%.1fM", weights / 1e6), s.rank(),
                    adamw, s.fullGb(), muon, galore, s.galoreGb(), sumo, s.sumoGb(),
                    String.format(java.util.Locale.ROOT, "%.1f%%", 100 * (sumo - galore) / galore),
                    String.format(java.util.Locale.ROOT, "%.1f%%", 100 * (s.sumoGb() - s.galoreGb()) / s.galoreGb())));
        }
        o.table("Weights + optimizer state (GB, bf16) by formula on the paper's shapes, next to SUMO's Table 3 estimates",
                List.of("model", "params", "r", "AdamW", "paper full-rank", "Muon", "GaLore", "paper GaLore", "SUMO", "paper SUMO", "SUMO vs GaLore", "paper: SUMO vs GaLore"),
                paper);
        o.note("SUMO saves exactly r·max(m, n) floats per matrix over GaLore (one r-sized moment instead of two); the embedding and "
                + "head, with AdamW's two moments, dominate the small models, which is why the saving is a few percent there.");
        o.finish();
        return Main.OK;
    }

    private static Llama model(LlamaConfig mc) {
        return Llama.initialise(mc, DType.F32, new Rng(0));
    }
}
