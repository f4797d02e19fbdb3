"""Pipelines: pre-stage -> codec -> post-stage, named after the papers they follow.

=======================  =====================================================  ==========================
name                     structure                                              follows
=======================  =====================================================  ==========================
``tun2023-x2``, ``-x4``  learned downscaler → learned codec → EDSR              Tun et al. 2023
``jin-jpeg-x2``, ``-x4`` bicubic ↓ → JPEG → DnCNN CAR → EDSR                    Jin et al.
``jin-avif-x1``, ``-x2`` (bicubic ↓) → AVIF → DnCNN CAR → EDSR                  Jin et al.
``jiang-comcnn``         ComCNN → JPEG → bicubic ↑ → RecCNN                     Jiang et al. 2017
``jiang-arcnn``          JPEG → ARCNN                                           Dong et al. 2015, Jiang et al.
``jiang-arcnn-aspp``     JPEG → ARCNN + ASPP                                    Jiang et al. (report)
``vvc-restored``         VVC → Y/Cb/Cr planes + QP → quality-aware restorer     FFDNet-style post-filter
``nagasaki-jpeg``        Modify-Net → JPEG (a plain ``.jpg``, any decoder)      Nagasaki et al.
``upenik-x2``, ``-x4``   bicubic ↓ → learned codec → latent-domain SR           Upenik et al.
``upenik-decoded-x2/4``  bicubic ↓ → learned codec → decoded LR → EDSR          Upenik et al. (anchor)
``bicubic-<codec>-x2/4`` bicubic ↓ → codec → bicubic ↑ (no weights)             baseline
``sr-jpeg-x2``, ``-x4``  bicubic ↓ → JPEG → EDSR trained on clean LR (no CAR)   baseline (Jin et al.)
=======================  =====================================================  ==========================

Every pipeline is one row of :mod:`.catalogue` (grep finds it by name); its behaviour lives in the
module of the paper it follows. Every pipeline is a codec (``srcodec compress --codec jin-jpeg-x2``) writing
``.srz`` files -- except ``nagasaki-jpeg``, whose output is a plain JPEG;
``srcodec pipelines`` lists them and whether their weights are shipped. See
:mod:`.base` for the file layout and the rules.
"""

from srcodec.pipelines.base import Pipeline, pipeline_class, pipeline_names, register_pipeline
from srcodec.pipelines import auto, catalogue  # noqa: F401  (register every pipeline, one row each, and auto)

__all__ = ["Pipeline", "pipeline_class", "pipeline_names", "register_pipeline"]
