"""Where everything srcodec finds by name is defined: the one list to extend with a new module.

Each registry of :mod:`srcodec.registry` imports its modules on its first look-up.
"""

#: codecs: the standard ones, VVC, the learned codec, the pipelines (one catalogue row each) and ``auto``
CODECS = ("srcodec.codecs.standard", "srcodec.codecs.vvc", "srcodec.codecs.learned", "srcodec.codecs.overfit",
          "srcodec.pipelines.catalogue",
          "srcodec.pipelines.auto")

#: networks of the runtime (the lab's proxies register into the same registry when the lab imports them)
NETWORKS = ("srcodec.models", "srcodec.post.edsr", "srcodec.post.dncnn", "srcodec.post.arcnn", "srcodec.post.reccnn",
            "srcodec.post.latent_sr", "srcodec.post.restorer", "srcodec.pre.downscaler", "srcodec.pre.comcnn",
            "srcodec.pre.modifynet")

#: training kinds (the lab): ``srcodec train KIND`` runs ``srcodec.train.<module>``; kind -> (module, one-line help)
TRAIN_KINDS = {
    "codec": ("codec", "the learned codec (variable rate, one set of weights)"),
    "sr": ("sr", "super-resolution post-stage"),
    "car": ("car", "compression-artefact removal post-stage"),
    "resampler": ("resampler", "learned down/up-sampler pair"),
    "comcnn": ("comcnn", "compact-representation pre-stage (ComCNN/RecCNN)"),
    "prefilter": ("prefilter", "JPEG pre-filter (Modify-Net) through a differentiable JPEG stand-in"),
    "jpegnet": ("jpegnet", "learned JPEG emulator (JPEG-Net), a stand-in for training pre-filters"),
    "latent-sr": ("latent_sr", "latent-domain SR decoder on the frozen learned codec"),
    "restorer": ("restorer", "quality-aware post-filter for a codec (VVC, AVIF, JPEG), trained on a decoded pool"),
}
