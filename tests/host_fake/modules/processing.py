"""Stand-in for modules/processing.py: txt2img processing whose images are colours.

``process_images`` returns one image whose colour comes from a hash of the prompt and
negative prompt, and records what it was asked (prompts, seed, sampler, whether the queue
lock was held, the WebUI's job count). ``during_sampling`` holds callables run while a
tile is "sampled": tests press Interrupt or Skip there, as a user would.
"""

from __future__ import annotations

import dataclasses
import hashlib

from PIL import Image

from modules import call_queue, shared

calls: list[dict] = []
during_sampling: list = []


@dataclasses.dataclass(repr=False)
class StableDiffusionProcessing:
    sd_model: object = None
    outpath_samples: str = None
    outpath_grids: str = None
    prompt: str = ""
    prompt_for_display: str = None
    negative_prompt: str = ""
    styles: list = None
    seed: int = -1
    subseed: int = -1
    subseed_strength: float = 0
    seed_resize_from_h: int = -1
    seed_resize_from_w: int = -1
    seed_enable_extras: bool = True
    sampler_name: str = None
    scheduler: str = None
    batch_size: int = 1
    n_iter: int = 1
    steps: int = 50
    cfg_scale: float = 7.0
    width: int = 512
    height: int = 512
    restore_faces: bool = None
    tiling: bool = None
    do_not_save_samples: bool = False
    do_not_save_grid: bool = False

    def close(self):
        self.closed = True


@dataclasses.dataclass(repr=False)
class StableDiffusionProcessingTxt2Img(StableDiffusionProcessing):
    enable_hr: bool = False
    denoising_strength: float = 0.75


class Processed:
    def __init__(
        self,
        p,
        images_list,
        seed=-1,
        info="",
        subseed=None,
        all_prompts=None,
        all_negative_prompts=None,
        all_seeds=None,
        all_subseeds=None,
        index_of_first_image=0,
        infotexts=None,
        comments="",
        extra_images_list=None,
    ):
        self.images = images_list
        self.seed = seed
        self.info = info
        self.index_of_first_image = index_of_first_image
        self.infotexts = infotexts or [info]


def colour_of(prompt: str, negative_prompt: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(f"{prompt}\n{negative_prompt}".encode()).digest()
    return digest[0], digest[1], digest[2]


def process_images(p):
    # reForge reads this without checking that p.scripts is set (processing.py, per batch)
    alwayson = p.scripts.alwayson_scripts
    calls.append(
        {
            "alwayson_scripts": len(alwayson),
            "prompt": p.prompt,
            "negative_prompt": p.negative_prompt,
            "seed": p.seed,
            "sampler_name": p.sampler_name,
            "scheduler": p.scheduler,
            "steps": p.steps,
            "cfg_scale": p.cfg_scale,
            "size": (p.width, p.height),
            "do_not_save_samples": p.do_not_save_samples,
            "locked": call_queue.queue_lock.locked(),
            "job": shared.state.job,
            "job_count": shared.state.job_count,
        }
    )
    for hook in list(during_sampling):
        hook(p)
    image = Image.new("RGB", (p.width, p.height), colour_of(p.prompt, p.negative_prompt))
    info = (
        f"{p.prompt}\nNegative prompt: {p.negative_prompt}\nSteps: {p.steps}, Sampler: {p.sampler_name}, "
        f"CFG scale: {p.cfg_scale}, Seed: {p.seed}, Size: {p.width}x{p.height}, Model: fake"
    )
    shared.state.nextjob()
    return Processed(p, [image], p.seed, info, infotexts=[info])
