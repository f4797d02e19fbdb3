"""``auto``: for each image, the candidate pipeline whose real file is best, by measurement.

::

    image ─► for each candidate (by --effort): search its quality (a fast stand-in, then real files) ─► measure
          ─► keep the best (rate target: highest quality that fits; quality target: fewest bytes)
          ─► that candidate's own .srz file (its header names the chosen pipeline)

Every decode is deterministic, so the quality measured while choosing is the quality the user gets.

How hard it looks (``effort``):

- ``1`` and ``2`` (default): the first one or two candidates. Each candidate's quality search runs on a
  fast stand-in (:meth:`Codec.probe`: VVenC's ``faster`` preset for the VVC pipelines, about 17 times
  faster than medium by ``benchmarks/results/anchor-settings.md``, the same networks; the steps measure
  its plain decodes, the network runs once for its gain, and again on the file where a candidate would be left
  early), its target moved by a measured prior offset; the candidates
  are ranked by the stand-ins' files; then the predicted winner -- and any other predicted within
  :data:`CLOSE` of it -- is encoded for real at the stand-in's quality, measured, and moved one step
  at a time while the stand-in's curve (shifted by what the real encode measured) says the next step
  still meets the target (:func:`srcodec.targets.encode_probed`): one or two real encodes. A candidate
  without a stand-in gets its full search. With a quality target, a later candidate's stand-in search
  stops as soon as one of its files falls short of the target at more bytes than the best prediction so
  far allows (it could not be close: branch and bound on the stand-ins).
- ``3``: every candidate, each by its full search on real files, with a finer step. A candidate after
  the first is left as soon as it cannot win (branch and bound): for a quality target, when one of its
  files falls short of the target at a size no smaller than the best file so far; for a rate target,
  when one of its files is over the budget yet measures no better than the best so far.

A candidate left early is missing from the report (the CLI says why). Candidates, in order (those
installed here, with their weights): ``vvc-restored``, ``vvc-x2-learned`` (the ×2 VVC pipeline that
measures better on Kodak than ``vvc-x2``, ``python benchmarks/kodak_restored.py``), ``avif-restored``,
``learned``, ``tun2023-x2``, ``vvc-x2``.

- ``--max-bytes N`` / ``--bpp B``: each candidate's highest quality whose file fits (bisection on the
  real size); the best ``metric`` wins (``auto:metric=psnr|ms-ssim|ssimulacra2|vmaf``). Never a file
  over N bytes.
- ``--target-psnr X`` / ``--target-ms-ssim X`` / ``--target-ssimulacra2 X`` / ``--target-vmaf X``: each
  candidate's smallest file whose real decode reaches X (bisection on the measured quality); the
  smallest wins. Never a file under X, or a one-line error naming the best value reached.
- ``-q Q`` alone (1..8, fractions allowed): a level that means the same for every candidate: the target
  SSIMULACRA2 ``50 + 20 (Q - 2) / 3`` (:func:`level_ssimulacra2`), whose whole levels 2, 5 and 8 are
  libjxl's "medium" (50), "high" (70) and "visually lossless" (90); then as ``--target-ssimulacra2``,
  except that where no candidate reaches the level (a small or grainy image: 4:2:0 VVC cannot keep
  chroma grain) the best-scoring file the candidates made is written and the report's note
  says so, where ``--target-ssimulacra2`` is an error.
  The default is level 5, SSIMULACRA2 70: by libjxl's scale, artifacts are hard to notice without the
  original beside the picture -- a file that looks like the photo on its own, the least a photographer
  would keep (level 6.5, SSIMULACRA2 80, for side-by-side comparisons at 1:1).

``auto:formats=web`` (or a subset: ``auto:formats=jpeg,avif``, ``+`` also separates) chooses among the
standard formats instead, each by its own full search at its settings in :data:`FORMATS` -- JPEG (by
jpegli), WebP, AVIF, JPEG XL -- and writes the winner's plain file (``.jpg``, ``.webp``, ``.avif``,
``.jxl``), which any browser or viewer opens; ``compress`` names the output after the winning format.
A format after the first is left as soon as it cannot win (branch and bound, as at effort 3); the
effort sets the search step.

What was chosen and why (every candidate's bytes and quality) is the :class:`Report` of
:meth:`AutoCodec.encode_to`'s result,
which ``srcodec compress`` and ``roundtrip`` print.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from srcodec.codecs.base import Codec, Option, codec_class, get_codec, register_codec
from srcodec.container import is_srz
from srcodec.errors import SrcodecError

if TYPE_CHECKING:
    from srcodec.io.metadata import ImageMeta
    from srcodec.targets import Encoded

CANDIDATES = ("vvc-restored", "vvc-x2-learned", "avif-restored", "learned", "tun2023-x2", "vvc-x2")
#: how close a prediction must be to the predicted winner's for a real encode of its own: within this many
#: dB PSNR (or MS-SSIM, SSIMULACRA2, VMAF units) for rate targets, within this fraction of its bytes for
#: quality targets. SSIMULACRA2's and VMAF's are set by hand to what PSNR's margin is worth on Kodak's curves
#: (their slopes against PSNR in the points of ``python benchmarks/kodak_anchors.py``), not tuned.
CLOSE = {"psnr": 0.15, "ms-ssim": 0.003, "ssimulacra2": 0.5, "vmaf": 0.4, "bytes": 0.04}
#: ``auto:formats=``: each standard format's codec spec for the metric of the target; a metric not listed
#: takes the "psnr" entry (each codec's PSNR-best defaults). For SSIMULACRA2, the settings that need the fewest
#: bytes at the same score in ``python benchmarks/web_format_settings.py --images 2 --targets 70``: AVIF with
#: aom's own tuning (against tune=psnr, tune=ssim and 4:2:0), jpegli (against libjpeg-turbo), JPEG XL at effort
#: 7 (within a few percent of effort 9, much faster).
FORMATS = {
    "jpeg": {"psnr": "jpegli"},
    "webp": {"psnr": "webp"},
    "avif": {"psnr": "avif", "ssimulacra2": "avif:tune=default"},
    "jxl": {"psnr": "jxl"},
}
#: what ``formats=web`` means: every format a current browser shows
WEB = ("jpeg", "webp", "avif", "jxl")
#: the formats that compete with the pipelines in plain ``auto`` (the file is then that format's own), the ones
#: that made the smallest files at SSIMULACRA2 targets first, so that a budget is spent on them (AVIF ahead of the
#: others: the SSIMULACRA2 section of ``python benchmarks/kodak_auto.py --metric ssimulacra2 --effort 3``)
COMPETING = ("avif", "jxl", "webp", "jpeg")
#: per effort: how many of the pipelines are tried, and the search step in each candidate's quality range (fraction)
EFFORT = {1: (1, 0.04), 2: (2, 0.02), 3: (len(CANDIDATES), 0.01)}
#: the standard formats that compete with the pipelines at efforts 1 and 2, each at settings fast enough for a
#: budget (effort 3 takes :data:`FORMATS`' best settings): options added to :data:`FORMATS`' spec for the metric
QUICK = {"avif": "speed=6", "jxl": "effort=7", "webp": "", "jpeg": ""}
#: every candidate a time budget is kept for (``python benchmarks/codec_costs.py`` measures them)
BUDGETED = (*CANDIDATES[:2], "avif:speed=6", "avif:speed=6:tune=default", "jxl:effort=7", "webp", "jpegli")
#: per effort: how long one encode (its whole search) and one decode may take on this machine, each
#: ``(seconds, seconds per megapixel)``: about 3 s and 1 s for a Kodak image, 30 s and 5 s for 12 megapixels at
#: effort 2 (issue 27's promise, checked by ``python benchmarks/photo_speed.py``); effort 3 has none
BUDGET = {1: ((1.0, 1.0), (0.3, 0.2)), 2: ((2.0, 2.3), (0.6, 0.36)), 3: None}
#: a search on a large image runs on a sample of about this many megapixels first (``targets.encode_sampled``);
#: searched for the target plus twice :data:`CLOSE` (an image and its sample differ a little), and a real file
#: that reaches the target is kept unless the sample says one two steps lower reaches it too
SAMPLE_MP = 1.0


class Row(NamedTuple):
    """One candidate file ``auto`` made: its candidate, bytes, quality, the value measured, whether it won."""

    candidate: str
    bytes: int
    quality: float
    value: float
    chosen: bool


@dataclass
class Report:
    """What ``auto`` chose and why, for one encode (the ``report`` of its :class:`~srcodec.targets.Encoded`)."""

    #: what the values measure: "psnr", "ms-ssim", "ssimulacra2" or "vmaf"
    metric: str = "psnr"
    #: every candidate file made
    rows: list[Row] = field(default_factory=list)
    #: the candidates left early (could not win, or did not fit the time budget), in order
    outdone: list[str] = field(default_factory=list)
    #: why a candidate was left early, where more is known than "not close"
    why: dict[str, str] = field(default_factory=dict)
    #: (bytes, quality, value) each candidate's fast stand-in predicted (efforts 1-2)
    predicted: dict[str, tuple[int, float, float]] = field(default_factory=dict)
    #: real (not stand-in) encodes each candidate made after its stand-in search (efforts 1-2)
    real_encodes: dict[str, int] = field(default_factory=dict)
    #: seconds each candidate's search took
    seconds: dict[str, float] = field(default_factory=dict)
    #: a line beyond the rows (a -q level no candidate reached), or ""
    note: str = ""

    @property
    def chosen(self) -> Row:
        return next(r for r in self.rows if r.chosen)

    def lines(self) -> list[str]:
        """What was chosen and why, a line per candidate (``srcodec compress`` prints them)."""
        from srcodec.targets import METRICS

        metric = METRICS[self.metric]
        return ([f"{'*' if r.chosen else ' '} {r.candidate:<14} {r.bytes:>9} bytes at quality {r.quality:g}: "
                 f"{metric} {r.value:.4f}" for r in self.rows]
                + [f"  {name:<14} left early: {self._why_left(name, metric)}" for name in self.outdone]
                + ([f"  note: {self.note}"] if self.note else []))

    def _why_left(self, name: str, metric: str) -> str:
        if name in self.why:
            return self.why[name]
        if name in self.predicted:
            size, q, value = self.predicted[name]
            return (f"its fast stand-in predicted {size} bytes at quality {q:g} ({metric} {value:.4f}), "
                    "not close to the chosen one")
        return "it could not beat the chosen file"


@dataclass
class _Job:
    """One encode's working state: what the file must keep, the metadata its candidates write, the report."""

    needs: frozenset[str]
    carried: ImageMeta | None
    #: "L" or "LA" for a greyscale image (the file should keep it greyscale), else None
    grey: str | None = None
    #: the source has more than 8 bits a sample (the file should keep as many as a candidate can)
    deep: bool = False
    report: Report = field(default_factory=Report)
    #: (candidate, bytes, quality, value) of the closest files of candidates that missed a quality target
    closest: list[tuple[str, bytes, float, float]] = field(default_factory=list)


def int_or_max(value) -> int:
    """An effort: ``1``, ``2``, ``3``, or ``max`` (the same as 3: every candidate, full searches, no budget)."""
    return 3 if str(value).strip().lower() == "max" else int(value)


def level_ssimulacra2(quality: float) -> float:
    """The SSIMULACRA2 target of auto's quality level: 50 (medium) at 2, 70 (high) at 5, 90 (visually
    lossless) at 8; 43.3 at 1."""
    return 50.0 + 20.0 * (float(quality) - 2.0) / 3.0


@register_codec
class AutoCodec(Codec):
    name = "auto"
    label = "auto (best candidate per image)"
    extension = ".srz"
    keeps = frozenset({"exif", "xmp", "icc", "alpha"})  # the pipelines' .srz (its metadata section); formats=: below
    searches_itself = True
    grey_modes = frozenset({"L", "LA"})
    quality_help = ("1..8: a target SSIMULACRA2 of 50 + 20 (q - 2) / 3 (2: 50 medium, 5: 70 high, 8: 90 visually "
                    "lossless), reached by the smallest candidate file")
    quality_range = (1.0, 8.0)
    default_quality = 5.0
    integer_quality = False
    sweep = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0)
    options = (Option("effort", 2, kind=int_or_max, bounds=(1, 3),
                      help="1, 2: the candidates whose measured cost fits a time budget on this image (BUDGET); "
                           "3 or max: every candidate, full searches, no budget"),
               Option("metric", "psnr", choices=("psnr", "ms-ssim", "ssimulacra2", "vmaf"),
                      help="what 'best' means for rate targets"),
               Option("formats", "", help="web, or formats among jpeg, webp, avif, jxl joined by , or +: the "
                                          "smallest plain file among them instead of a pipeline's .srz"))

    def __init__(self, **options):
        super().__init__(**options)
        #: the standard formats chosen among (``formats=``), or () for the pipelines
        self.formats = parse_formats(self.opts["formats"])
        if self.formats:
            self.extension = ".web"  # a placeholder: the file is named after the winning format (extension_of)
            # what at least one of the formats keeps (codecs.carry refuses the rest); each format that cannot
            # keep what the image carries is left out of the candidates
            self.keeps = frozenset().union(*(codec_class(FORMATS[f]["psnr"]).keeps for f in self.formats))
            self.grey_modes = frozenset().union(*(codec_class(FORMATS[f]["psnr"]).grey_modes for f in self.formats))

    @property
    def max_depth(self) -> int:
        """The most bits of a greyscale source a candidate codes (a deep source goes to those: ``candidates``)."""
        return max((codec_class(n).max_depth for n in self.candidates()), default=8)

    @property
    def max_depth_rgb(self) -> int:
        """The most bits of an RGB source a candidate codes."""
        return max((codec_class(n).max_depth_rgb for n in self.candidates()), default=8)

    @classmethod
    def available_candidates(cls) -> list[str]:
        return [n for n in CANDIDATES if codec_class(n).unavailable_reason() is None]

    @classmethod
    def unavailable_reason(cls) -> str | None:
        formats = [FORMATS[f]["psnr"] for f in COMPETING]
        if cls.available_candidates() or any(codec_class(f).unavailable_reason() is None for f in formats):
            return None
        return f"none of its candidates ({', '.join((*CANDIDATES, *formats))}) is installed"

    def uses(self) -> tuple[str, ...]:
        return CANDIDATES

    def settings(self) -> dict:
        """Its options, its candidates and theirs (what a file depends on: a bench row measured with other
        candidates' settings is measured again)."""
        from srcodec.targets import METRICS

        theirs = dict(sorted({n: get_codec(n).settings() for m in METRICS for n in self.candidates(m)}.items()))
        if self.formats:
            return {**self.opts, "candidates": {f: FORMATS[f] for f in self.formats}, "search": "full, each format",
                    "candidate_settings": theirs}
        return {**self.opts, "candidates": self.candidates(), "candidate_settings": theirs,
                "search": "full" if self.opts["effort"] >= 3 else "fast stand-ins (plain decodes; the network on the first file and before leaving a candidate), then real encodes (a step predicted to miss by less than the stand-in's last error tried)"}

    @staticmethod
    def _codec(name: str, job: _Job) -> Codec:
        """Candidate ``name``, writing what the image carries into its own file when it is a standard format."""
        codec = get_codec(name)
        if job.carried is not None and codec.extension != ".srz":
            from srcodec.codecs.carry import Carrying

            return Carrying(codec, job.carried)
        return codec

    def attach(self, data: bytes, meta) -> bytes:
        """A pipeline's .srz gets ``meta`` in its section; a standard format's file holds it already."""
        return super().attach(data, meta) if is_srz(data) else data

    def candidates(self, metric: str = "psnr", needs: frozenset[str] = frozenset(), grey: str | None = None,
                   deep: bool = False) -> list[str]:
        """The pipelines (as many as the effort takes) and the standard formats (quick settings below effort 3),
        those installed that keep what the image carries (``needs``: alpha, exif, ...); for a greyscale image
        (``grey``: "L" or "LA"), those whose file keeps it greyscale where any does; for a source of more than 8
        bits (``deep``), those that code the most bits of it (:attr:`max_depth`, what the command says); where
        none keeps a part, the command has said so (``codecs.carry.check``). ``formats=``: those formats only."""
        def usable(spec: str) -> bool:
            return codec_class(spec).unavailable_reason() is None and needs <= codec_class(spec).keeps

        effort = self.opts["effort"]
        # formats=: likely winners first (COMPETING's order), so that branch and bound leaves the others early
        chosen = [f for f in dict.fromkeys((*COMPETING, *FORMATS)) if f in self.formats] if self.formats else COMPETING
        best = [FORMATS[f].get(metric, FORMATS[f]["psnr"]) for f in chosen]
        quick = [get_codec(":".join(filter(None, (spec, QUICK[f])))).spec for f, spec in zip(chosen, best)]
        # effort 3 tries both settings of each format: the quick ones can make the smaller file (AVIF's speed 6 can,
        # at SSIMULACRA2 targets: python benchmarks/photo_speed.py), and effort 3 is never to lose to effort 2
        formats = quick if effort < 3 else list(dict.fromkeys(s for pair in zip(best, quick) for s in pair))
        formats = [f for f in formats if usable(f)]
        names = formats if self.formats else [n for n in self.available_candidates() if usable(n)][: EFFORT[effort][0]] + formats
        if grey and any(grey in codec_class(n).grey_modes for n in names):
            names = [n for n in names if grey in codec_class(n).grey_modes]
        if deep:
            bits = (lambda n: codec_class(n).max_depth) if grey else (lambda n: codec_class(n).max_depth_rgb)
            most = max((bits(n) for n in names), default=8)
            names = [n for n in names if bits(n) == most]
        return names

    def _within_budget(self, names: list[str], image: np.ndarray, metric: str, report: Report) -> list[str]:
        """The candidates whose predicted search and decode fit this effort's :data:`BUDGET` on this image (every
        one of ``formats=``, which names the formats to choose among: their searches take seconds), from
        the measured cost table (:mod:`srcodec.pipelines.costs`), in order and while their sum fits, each at the
        heaviest of its settings (:meth:`Codec.lighter`: a VVC pipeline's presets) that fits; the others are left
        out, each said in the report. A candidate the table does not know is kept; if none fits, the cheapest is
        kept."""
        from srcodec.pipelines.costs import predict

        budget = BUDGET[self.opts["effort"]]
        if budget is None or self.formats:  # formats=: the user named the formats to choose among, each is tried
            return names
        mp = image.shape[0] * image.shape[1] / 1e6
        (e0, e1), (d0, d1) = budget
        enc_budget, dec_budget = e0 + e1 * mp, d0 + d1 * mp

        def per_mp(spec: str, megapixels: float) -> float:  # one more encode + decode (or metric) of this size
            c, c0 = predict(spec, megapixels), predict(spec, 0.0)
            return 0.0 if c is None else c.encode_s + c.decode_s - c0.encode_s - c0.decode_s

        def once(spec: str) -> float:  # what the first call costs more (libraries, weights, kernels)
            c0 = predict(spec, 0.0)
            return 0.0 if c0 is None else c0.encode_s + c0.decode_s

        scorer = f"metric:{metric}"
        settings = {name: get_codec(name).lighter() for name in names}  # each candidate's faster settings
        costs = {}
        for name in [spec for n in names for spec in (n, *settings[n])]:
            own = predict(name, mp)
            if own is None:
                costs[name] = (0.0, 0.0)
                continue
            found = get_codec(name).probe()
            step = per_mp(name, mp) + per_mp(scorer, mp)
            if found is not None:  # stand-in steps, then one or two real encodes
                search = 5 * (per_mp(found[0].spec, mp) + per_mp(scorer, mp)) + once(found[0].spec) + 1.5 * step
            elif mp > 2 * SAMPLE_MP:  # the sample's search, then one or two real encodes
                search = 6 * (per_mp(name, SAMPLE_MP) + per_mp(scorer, SAMPLE_MP)) + 1.5 * step
            else:
                search = 6 * step
            costs[name] = (search + once(name) + once(scorer), own.decode_s)
        # first every candidate at its lightest setting that fits, in order; then, with what is left, each kept
        # one (in order) at its heaviest setting that still fits ("preset per size": vvc-restored codes at
        # VVenC's medium on a small image, at fast or faster on a large one)
        fits = {}
        spent = 0.0
        for name in names:
            variants = [name, *settings[name]]
            for spec in reversed(variants):
                search, decode = costs[spec]
                if decode <= dec_budget and spent + search <= enc_budget:
                    fits[name] = spec
                    spent += search
                    break
            else:
                search, decode = costs[variants[-1]]
                why = (f"its decode takes about {decode:.1f} s here, over the effort's {dec_budget:.1f} s"
                       if decode > dec_budget else f"its search would take about {search:.1f} s here, over what "
                       f"is left of the effort's {enc_budget:.1f} s")
                if len(variants) > 1:
                    why += f", even as {variants[-1]}"
                report.outdone.append(name)
                report.why[name] = f"left out at effort {self.opts['effort']}: {why} (auto:effort=max tries it)"
        for name, spec in fits.items():
            for heavier in [name, *settings[name]]:
                if heavier == spec:
                    break
                if costs[heavier][1] <= dec_budget and spent - costs[spec][0] + costs[heavier][0] <= enc_budget:
                    spent += costs[heavier][0] - costs[spec][0]
                    fits[name] = heavier
                    break
        kept = list(fits.values())
        if not kept:
            cheapest = min(names, key=lambda n: costs[([n, *settings[n]])[-1]][0])
            report.outdone.remove(cheapest)
            report.why.pop(cheapest)
            kept = [([cheapest, *settings[cheapest]])[-1]]
        return kept

    def extension_of(self, data: bytes) -> str:
        """The file name suffix of a file this codec wrote: ``.srz``, or the winning format's."""
        from srcodec.api import identify

        return get_codec(identify(data)).extension

    def search_step(self, codec: Codec) -> float:
        """The step of this effort's quality searches in ``codec``'s range (a candidate searched alone with it
        finds the file auto finds)."""
        lo, hi = codec.quality_range
        return max(1.0 if codec.integer_quality else 0.0, EFFORT[self.opts["effort"]][1] * (hi - lo))

    @staticmethod
    def _choose(tries: list[tuple[str, bytes, float, float]], key, job: _Job) -> Encoded:
        from srcodec.targets import Encoded

        if not tries:
            raise SrcodecError("auto: no candidate could make this file")
        best = min(tries, key=key)
        job.report.rows = [Row(n, len(d), q, v, (n, d) == (best[0], best[1])) for n, d, q, v in tries]
        return Encoded(best[1], best[2], best[3], job.report)

    def encode(self, image: np.ndarray, quality: float) -> bytes:
        from srcodec.targets import Target

        return self.encode_to(image, Target(quality=quality)).data

    def encode_to(self, image: np.ndarray, target, meta=None) -> Encoded:
        """``image`` coded to ``target`` (:class:`srcodec.targets.Target`) by the best candidate; the result's
        ``report`` (:class:`Report`) says what was chosen and why. ``meta`` (:class:`srcodec.io.metadata.ImageMeta`):
        what the image carries beside its pixels -- only candidates that keep it compete, and a standard format's
        file holds it in its own fields (a pipeline's .srz gets it from :meth:`attach` afterwards)."""
        from srcodec.targets import check_measurable

        parts = frozenset(meta.parts()) if meta is not None else frozenset()
        grey = ("LA" if "alpha" in parts else "L") if image.shape[2] == 1 else None
        deep = meta is not None and meta.deep is not None
        job = _Job(parts, meta if meta is not None and (parts or deep) else None, grey, deep)
        if target.kind == "size":
            job.report.metric = self.opts["metric"]
            check_measurable(image, job.report.metric)
            return self._fit(image, target.limit(*image.shape[:2]), job)
        if target.kind == "reach":
            job.report.metric = target.metric
            check_measurable(image, target.metric)
            return self._reach(image, target.value, target.metric, job)
        return self._level(image, self.default_quality if target.quality is None else target.quality, job)

    def _level(self, image: np.ndarray, quality: float, job: _Job) -> Encoded:
        from srcodec.targets import Encoded, check_measurable

        goal = level_ssimulacra2(self.check_quality(quality))
        job.report.metric = "ssimulacra2"
        check_measurable(image, "ssimulacra2")
        try:
            return self._reach(image, goal, "ssimulacra2", job)
        except SrcodecError:
            if not job.closest:
                raise
        # a level is not a promise: where no candidate reaches it, the best-scoring file they made, said so
        best = max(job.closest, key=lambda t: t[3])
        job.report.rows = [Row(n, len(d), q, v, t is best) for t in job.closest for n, d, q, v in [t]]
        job.report.note = (f"no candidate reaches SSIMULACRA2 {goal:g} (level {quality:g}) on this image: the "
                           f"best-scoring file, at {best[3]:.2f}")
        return Encoded(best[1], best[2], best[3], job.report)

    @staticmethod
    def _missed(name: str, exc: Exception, job: _Job) -> None:
        """Keep the closest file of a candidate that missed a quality target (for :meth:`_level`)."""
        from srcodec.targets import NotReached

        if isinstance(exc, NotReached) and exc.best is not None:
            data, q, value = exc.best
            job.closest.append((name, data, q, value))

    def _probed(self, image: np.ndarray, job: _Job, *, limit: int | None = None, target: float | None = None,
                metric: str = "psnr") -> Encoded:
        """Efforts 1-2: every candidate searched on its fast stand-in (:meth:`Codec.probe`; a candidate
        without one is searched for real), ranked by the stand-ins' files, then real encodes for the
        predicted winner and for any other whose prediction is within :data:`CLOSE` of it; the best real
        file wins."""
        from srcodec.targets import METRICS, NotReached, Outdone, ProbePlan, encode_probed, probe_search

        rate = limit is not None
        plans, errors = [], []
        report = job.report
        for name in self._within_budget(self.candidates(metric, job.needs, job.grey, job.deep), image, metric, report):
            t0 = time.perf_counter()
            codec = self._codec(name, job)
            found = codec.probe()
            # quality target: a stand-in short of the target at more bytes than the best prediction so far
            # (plus CLOSE) cannot be close to it, so its search stops there
            fewest = min((p[3].bytes for p in plans), default=None)
            beat = None if rate or fewest is None else int(fewest * (1.0 + CLOSE["bytes"])) + 1
            try:
                if found is None:  # no stand-in: its own full search, whose file is final
                    data, q, value = self._full_search(codec, image, limit, target, metric)
                    plan = ProbePlan(final=(data, q, value), bytes=len(data), quality=q, value=value)
                else:
                    plan = probe_search(found[0], found[1], image, limit=limit, target=target, metric=metric,
                                        tolerance=self.search_step(codec), beat=beat)
                    report.predicted[name] = (plan.bytes, plan.quality, plan.value)
                plans.append((name, codec, found and found[0], plan))
            except Outdone as exc:
                report.outdone.append(name)
                report.why[name] = str(exc)
            except SrcodecError as exc:
                errors.append(str(exc))
                self._missed(name, exc, job)
            report.seconds[name] = time.perf_counter() - t0
        # predicted score: higher is better (rate target: the probe's quality value; quality target: fewer bytes)
        def score(plan):
            return plan.value if rate else -plan.bytes

        plans.sort(key=lambda p: -score(p[3]))
        if not rate:  # a stand-in that falls short even at its best quality: said so, and tried last
            for name, _, probe, plan in plans:
                if probe is not None and plan.value < target - plan.offsets[metric]:
                    report.why[name] = (f"its fast stand-in reaches at most {METRICS[metric]} {plan.value:.4f} "
                                           f"(quality {plan.quality:g}), under the target")
        tries = []
        leader = None  # the prediction of the best-predicted candidate whose real file was made
        for name, codec, probe, plan in plans:
            if leader is not None and not self._close(leader, score(plan), rate, metric):
                report.outdone.append(name)
                continue
            t0 = time.perf_counter()
            try:
                data, q, value = plan.final or encode_probed(codec, probe, plan, image,
                                                                    tolerance=self.search_step(codec))
                tries.append((name, data, q, value))
                leader = score(plan) if leader is None else leader
            except (NotReached, SrcodecError) as exc:
                errors.append(str(exc))
                self._missed(name, exc, job)
            if plan.real_encodes is not None:
                report.real_encodes[name] = plan.real_encodes
            report.seconds[name] = report.seconds.get(name, 0.0) + time.perf_counter() - t0
        if not tries:
            goal = "fits" if rate else f"reaches {METRICS[metric]} {target:g}"
            raise SrcodecError(f"auto: no candidate {goal} ({'; '.join(errors)})")
        return self._choose(tries, (lambda t: -t[3]) if rate else (lambda t: len(t[1])), job)

    def _full_search(self, codec, image, limit, target, metric, beat: int | None = None):
        """One candidate's own search on real files, to a byte ``limit`` or a ``target`` value in ``metric``
        (a quality target below effort 3: a large image is searched on a sample, then placed); ``beat``: leave
        it (:class:`~srcodec.targets.Outdone`) once a file short of the target has that many bytes."""
        from srcodec.targets import encode_for_limit, encode_for_quality, encode_sampled, measure

        from srcodec.pipelines.costs import guess

        start = None if limit is not None else guess(codec.spec, metric, target)
        if limit is None and self.opts["effort"] < 3:
            return encode_sampled(codec, image, target, metric, tolerance=self.search_step(codec), megapixels=SAMPLE_MP,
                                  beat=beat, min_gain=2, margin=2 * CLOSE[metric], guess=start)[:3]
        if limit is None:
            return encode_for_quality(codec, image, target, metric, tolerance=self.search_step(codec), beat=beat,
                                      guess=start)
        data, q = encode_for_limit(codec, image, limit, tolerance=self.search_step(codec))
        return data, q, measure(image, codec.decode_like(data, image), metric)

    @staticmethod
    def _close(best: float, other: float, rate: bool, metric: str) -> bool:
        """Whether a candidate predicted at ``other`` may still beat the one predicted at ``best``."""
        if rate:
            return best - other <= CLOSE[metric]
        return -other <= -best * (1.0 + CLOSE["bytes"])

    def _one_by_one(self, image: np.ndarray, metric: str, job: _Job, search) -> tuple[list, list[str]]:
        """Each candidate within the budget searched in full, in order, by ``search(codec, tries)`` -> (data,
        quality, value) given the files so far; one that cannot win (:class:`~srcodec.targets.Outdone`) is left
        early, one that fails is said. Returns the tries (name, data, quality, value) and the errors."""
        from srcodec.targets import Outdone

        tries, errors = [], []
        for name in self._within_budget(self.candidates(metric, job.needs, job.grey, job.deep), image, metric, job.report):
            codec = self._codec(name, job)
            t0 = time.perf_counter()
            try:
                tries.append((name, *search(codec, tries)))
            except Outdone:
                job.report.outdone.append(name)
            except SrcodecError as exc:
                errors.append(str(exc))
                self._missed(name, exc, job)
            finally:
                job.report.seconds[name] = time.perf_counter() - t0
        return tries, errors

    def _reach(self, image: np.ndarray, target: float, metric: str, job: _Job) -> Encoded:
        """The smallest candidate file whose decode reaches ``target`` in ``metric``."""
        from srcodec.targets import METRICS

        if self.opts["effort"] < 3 and not self.formats:
            return self._probed(image, job, target=target, metric=metric)

        def search(codec, tries):  # a candidate whose files fall short at the size of the best so far is left early
            return self._full_search(codec, image, None, target, metric,
                                     beat=min((len(t[1]) for t in tries), default=None))

        tries, errors = self._one_by_one(image, metric, job, search)
        if not tries:
            raise SrcodecError(f"auto: no candidate reaches {METRICS[metric]} {target:g} ({'; '.join(errors)})")
        return self._choose(tries, lambda t: len(t[1]), job)

    def _fit(self, image: np.ndarray, limit: int, job: _Job) -> Encoded:
        """The candidate file of at most ``limit`` bytes that measures best in ``metric``."""
        from srcodec.targets import encode_for_limit, measure

        metric = job.report.metric
        if self.opts["effort"] < 3 and not self.formats:
            return self._probed(image, job, limit=limit, metric=metric)

        def search(codec, tries):
            def measured(data):
                return measure(image, codec.decode_like(data, image), metric)

            if not tries:  # the first candidate: only its final file is decoded
                data, q = encode_for_limit(codec, image, limit, tolerance=self.search_step(codec))
                return data, q, measured(data)
            # the others: each file measured, left early once one that is too big is no better
            return encode_for_limit(codec, image, limit, tolerance=self.search_step(codec), measure_with=measured,
                                    beat=max(t[3] for t in tries))

        tries, errors = self._one_by_one(image, metric, job, search)
        if not tries:
            raise SrcodecError(f"auto: no candidate fits ({'; '.join(errors)})")
        return self._choose(tries, lambda t: -t[3], job)

    def decode(self, data: bytes) -> np.ndarray:
        from srcodec.api import decompress

        return decompress(data)


def parse_formats(text: str) -> tuple[str, ...]:
    """``"web"`` or ``"jpeg,avif"`` (``+`` also separates) -> the formats, in :data:`FORMATS` order; ``""`` -> ()."""
    from srcodec.errors import BadOptionError

    names = [n.strip().lower() for n in text.replace("+", ",").split(",") if n.strip()]
    if names == ["web"]:
        return WEB
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise BadOptionError(f"auto: option formats: unknown format {unknown[0]!r} (web, or among {', '.join(FORMATS)})")
    return tuple(f for f in FORMATS if f in names)


__all__ = ["AutoCodec", "CANDIDATES", "FORMATS", "Report", "Row", "level_ssimulacra2", "parse_formats"]
