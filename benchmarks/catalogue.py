"""Every benchmark, declared: what it measures, on what, against what, what it may reuse, and where it writes.

One :class:`Section` per module of this package; ``python -m benchmarks list`` prints them and
``python -m benchmarks run NAME`` runs one. A new benchmark is one module (its measurement and its render)
plus one row here; ``tests/test_benchmarks_catalogue.py`` checks that the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from srcodec.bench.sections import Bench

RESULTS = "docs/results.md"
#: the published VTM curve that ships with the package, as the bench commands name it
VTM_JSON = "src/srcodec/bench/reference/kodak/vtm.json"
#: the restored pipelines and the codecs they restore (both in one bench: kodak_restored, restorers_by_eye)
RESTORED = ("vvc-restored", "vvc-x2", "vvc-x2-learned", "avif-restored", "jpeg-restored", "vvc", "avif", "jpeg")
#: VVC's QP 50..26 (about 0.02-0.9 bpp on Kodak, where a post-filter matters), JPEG's Q 13..37
RESTORED_QUALITIES = (13, 18, 23, 28, 33, 37)


@dataclass(frozen=True)
class Section:
    name: str           #: the module (``benchmarks/<name>.py``) and, where it writes one, its section marker
    measures: str       #: one line: what it measures
    data: str = "kodak"  #: the data set (under ``$SRCODEC_DATA``, else ``../shared/datasets``), or what it makes
    codecs: str = ""    #: codecs and options it runs
    anchor: str = ""    #: what its BD-rates are against
    reuses: str = ""    #: what it may take from earlier runs instead of measuring again
    writes: str = RESULTS  #: the page or file it rewrites
    skip_bench: bool = False  #: takes ``--skip-bench`` (render from the kept run only)
    bench: Bench | None = None  #: the ``srcodec bench`` run it measures with, where it runs one


SECTIONS = (
    Section("kodak_anchors", "the standard codecs at their PSNR-best settings: BD-rates, times, plots",
            codecs="jpeg, jpegli, webp, avif, jxl, heif, jpeg2000, vvc (+ two library-default rows)",
            anchor="vvc; vtm.json", reuses="rows of runs/kodak-anchors", skip_bench=True,
            bench=Bench(("jpeg", "jpegli", "webp", "avif", "avif:speed=6:tune=default", "jpeg2000", "jxl", "heif",
                         "heif:preset=default:tune=default", "vvc"), "runs/kodak-anchors")),
    Section("kodak_vvc_restored", "today's vvc and vvc-restored (and with per-image strengths) from one set of encodes",
            codecs="vvc-restored, vvc-restored:adapt=1, vvc (QP 45..26)",
            anchor="vvc; vtm.json, VTM 12.1 rerun, Cool-chic 5.0.1",
            reuses="the earlier run's curves in benchmarks/results/kodak-vvc-restored/earlier; vvc-restored and vvc "
                   "rows of runs/kodak-restored", skip_bench=True,
            bench=Bench(("vvc-restored", "vvc-restored:adapt=1", "vvc"), "runs/kodak-vvc-restored",
                        qualities=(18, 23, 28, 33, 37), anchor="vvc", refs=("../shared/reference/kodak/vtm.json",),
                        reuse_from=("runs/kodak-restored",), reusable=("vvc-restored", "vvc"))),
    Section("set14_vvc_restored", "vvc-restored against vvc on a data set nothing is trained on (PSNR, MS-SSIM, "
            "SSIMULACRA2, VMAF)", data="set14", codecs="vvc-restored, vvc (QP 45..26)", anchor="vvc",
            skip_bench=True, bench=Bench(("vvc-restored", "vvc"), "runs/set14-vvc-restored", dataset="set14",
                                         qualities=(18, 23, 28, 33, 37), anchor="vvc")),
    Section("kodak_vs_coolchic", "a codec (auto, or vvc-restored) at Cool-chic 5.0.1's own bytes, file by file",
            codecs="auto (--codec NAME: another)", anchor="Cool-chic 5.0.1's per-image results",
            reuses="benchmarks/results/kodak-vs-coolchic*.json (rows measured with the same settings)"),
    Section("overfit_one_image", "the overfitted codec (Cool-chic / C3 family) on one Kodak image: encode and decode "
            "time, BD-rate against vvc, vvc-restored and Cool-chic 5.0.1's file of the same image, the fit's loss curve",
            codecs="overfit at Cool-chic 5.0.1's λ; vvc, vvc-restored:adapt=1 (their sweeps)",
            anchor="vvc, vvc-restored:adapt=1, Cool-chic 5.0.1's per-image results",
            reuses="benchmarks/results/overfit-one-image.json (rows measured with the same settings)"),
    Section("kodak_vs_anchors", "every kept srcodec curve against VTM (published and rerun), Cool-chic 5.0.1, ELIC",
            data="curves kept in benchmarks/results/", anchor="vtm.json, VTM 12.1 rerun, Cool-chic 5.0.1, ELIC"),
    Section("kodak_restored", "codec + learned restorer pipelines, each against its own codec in the same run",
            codecs="vvc-restored, vvc-x2, vvc-x2-learned, avif-restored, jpeg-restored and their codecs",
            anchor="each pipeline's codec; vtm.json", reuses="vvc rows of runs/kodak-vvc-restored", skip_bench=True,
            bench=Bench(RESTORED, "runs/kodak-restored", qualities=RESTORED_QUALITIES,
                        reuse_from=("runs/kodak-vvc-restored",), reusable=("vvc-restored", "vvc"))),
    Section("kodak_pipelines", "the papers' pipelines (issue 4) against their baselines",
            codecs="tun2023, jin, jiang, bicubic baselines, jpeg, avif, learned", anchor="jpeg; vtm.json",
            reuses="jpeg/avif/learned rows of runs/kodak-anchors, runs/kodak-learned", skip_bench=True,
            bench=Bench(("jin-jpeg-x2", "jin-jpeg-x4", "jin-avif-x1", "jin-avif-x2", "jiang-comcnn", "jiang-arcnn",
                         "jiang-arcnn-aspp", "tun2023-x2", "tun2023-x4",
                         "bicubic-jpeg-x2", "bicubic-jpeg-x4", "bicubic-avif-x2", "jpeg", "avif", "learned"),
                        "runs/kodak-pipelines", anchor="jpeg", refs=(VTM_JSON,),
                        reuse_from=("runs/kodak-anchors", "runs/kodak-learned"), reusable=("jpeg", "avif", "learned"))),
    Section("kodak_prefilter_latent", "the JPEG pre-filter and latent-domain SR (issue 5)",
            codecs="nagasaki-jpeg, upenik-x2/x4, upenik-decoded-x2/x4", anchor="jpeg; learned",
            reuses="jpeg/learned rows of runs/kodak-anchors, runs/kodak-learned", skip_bench=True,
            bench=Bench(("nagasaki-jpeg", "upenik-x2", "upenik-x4", "jpeg", "upenik-decoded-x2", "upenik-decoded-x4",
                         "learned"), "runs/kodak-prefilter-latent", anchor="jpeg", refs=(VTM_JSON,),
                        reuse_from=("runs/kodak-anchors", "runs/kodak-learned"), reusable=("jpeg", "avif", "learned"))),
    Section("kodak_auto", "auto (or auto:formats=web) against each candidate's own file, at PSNR, MS-SSIM or "
            "SSIMULACRA2 targets", codecs="auto (effort 2) and its candidates; auto:formats=web and jpegli, webp, "
            "avif, jxl (srcodec bench --targets, its run declared by kodak_auto.bench_of)", anchor="each candidate",
            reuses="rows of runs/kodak-auto/<section> with today's settings (auto's include its candidates'); a "
                   "candidate's row from auto's report where auto's search of it was its own (effort 3)",
            writes=f"{RESULTS}; benchmarks/results/kodak-auto/<section> (the run's rows)", skip_bench=True),
    Section("restorers_by_eye", "each restored pipeline against its own codec in PSNR, MS-SSIM, SSIMULACRA2 and VMAF",
            codecs="the restored pipelines and their codecs", anchor="each pipeline's codec",
            reuses="runs/kodak-restored (the same bench as kodak_restored)", skip_bench=True,
            bench=Bench(RESTORED, "runs/kodak-restored", qualities=RESTORED_QUALITIES)),
    Section("ssimulacra2_reference", "srcodec's SSIMULACRA2 against libjxl's published scores and the PyPI package; "
            "its speed", data="the tank pair (shared/reference/ssimulacra2), synthetic pairs, kodak, a 12 MP mosaic",
            anchor="libjxl's reference scores", writes="stdout"),
    Section("web_format_settings", "each web format's settings at SSIMULACRA2 targets (auto:formats=)",
            data="kodak (3 images)", codecs="jpegli, jpeg, webp, avif (tunes, 4:2:0), jxl (efforts)", writes="stdout"),
    Section("kodak_learned", "the learned codec: RD points, BD-rates, PSNR at 0.40 bpp", codecs="learned",
            anchor="vtm.json, BPG, CompressAI's models", writes="benchmarks/results/kodak-learned*", skip_bench=True),
    Section("tun_table3", "Tun et al.'s Table III configurations at 10k/20k/40k bytes per image",
            codecs="tun2023-x2, tun2023-x4", anchor="the paper's table", reuses="kodak_pipelines' run"),
    Section("sr_tables", "super-resolution on clean and JPEG LR, ×2 and ×4", data="set5, set14, b100",
            codecs="the SR networks", anchor="bicubic; the papers' tables"),
    Section("decode_speed", "decode time per Kodak image, one decode at a time on 2 threads",
            codecs="every pipeline with weights", reuses="runs/decode-speed/<codec>.json (same settings)"),
    Section("latent_sr_experiments", "follow-up trainings of latent-domain SR against the decoded anchor",
            data="kodak (from the training runs' logs)"),
    Section("restorer_per_image", "a ×1 restorer's gain per image, RGB and luma", data="set14, kodak",
            codecs="vvc-restored", writes="benchmarks/results/vvc-restored-per-image.md"),
    Section("restorer_routes", "the restorer's fp32 and bf16 CPU routes: same image? how fast?",
            data="kodak, a 12-megapixel mosaic of training images", codecs="vvc-restored",
            writes="benchmarks/results/restorer-routes.md"),
    Section("codec_costs", "seconds and MB per megapixel of one encode and one decode: auto's budget table",
            data="mosaics of training images", codecs="auto's candidates, standard formats",
            writes="src/srcodec/pipelines/costs.json"),
    Section("photo_speed", "encode/decode time and peak memory of the default, each effort and the standard formats",
            data="kodak, mosaics of training photographs (12 and 33 MP)",
            codecs="default, auto:effort=N, avif:speed=6, jxl, webp, jpegli at the default's SSIMULACRA2"),
    Section("cluster_throughput", "rows per second of a CPU-bound bench on 1 and 2 local Dask workers, overhead per task",
            data="kodak (12 images)", codecs="webp (one thread)", reuses="nothing: every pass measured"),
    Section("probe_offsets", "how VVenC's fast preset stands in for the default in auto's searches",
            data="train (4 images)", codecs="vvc-restored, vvc-x2-learned", writes="stdout"),
    Section("anchor_settings", "which settings of each standard codec are best for RGB PSNR",
            data="kodak (3 images)", writes="benchmarks/results/anchor-settings.md"),
    Section("vvc_settings", "which VVenC settings are best for RGB PSNR, and their time", data="train (8 images)",
            codecs="vvc", writes="benchmarks/results/vvc-settings-*.md"),
    Section("vvc_chroma_fit", "RGB-aware 4:2:0 before VVC: chroma fitted to the upsampler, luma to the RGB (an experiment)",
            data="train/bsds500 (6 images)", codecs="vvc at preset faster", anchor="vvc's 2×2 mean", writes="stdout"),
    Section("vvc_colour", "the vvc codec's colour conversion and decoder: caps and timings", codecs="vvc",
            writes="benchmarks/results/vvc-colour.md"),
    Section("memory_8k", "peak memory and time of a 7680×4320 image each way", data="a Kodak mosaic",
            codecs="learned, vvc-restored", writes="benchmarks/results/memory-8k.md"),
    Section("keeps_table", "what each codec's file keeps of a photo: EXIF, XMP, ICC, alpha, depth, channels",
            data="a corpus generated by srcodec.bench.keeps", codecs="every codec and a pipeline of each kind",
            writes="docs/reliability.md"),
    Section("startup", "start-up time of the CLI", data="none", writes="stdout"),
    Section("fuzz", "coverage-guided fuzzing of every decoder (atheris)", data="generated files",
            writes="benchmarks/results/fuzz-report.json"),
    Section("pipeline_cards", "the model cards of the shipped pipelines", data="the kept runs and logs",
            writes="docs/models.md"),
    Section("learning_curve", "a training run's learning curve, plotted", data="a run's val.jsonl", writes="docs/img"),
    Section("learned_codec_stats", "the learned codec's latent statistics", codecs="learned",
            writes="benchmarks/results/learned-stats.*"),
    Section("train_step_speed", "training steps per second by thread count", data="train",
            writes="benchmarks/results/train-step-speed.txt"),
)


def section(name: str) -> Section:
    """The declared section ``name``; a one-line error naming the known ones."""
    from srcodec.errors import UnknownNameError

    for s in SECTIONS:
        if s.name == name:
            return s
    raise UnknownNameError(f"unknown benchmark {name!r} (known: {', '.join(s.name for s in SECTIONS)})")
