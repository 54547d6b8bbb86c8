"""Parameter names and shapes of timm's ViT/DeiT architectures (no weights are downloaded: pretrained=False),
one line per tensor: `<model> <name> <d0>x<d1>...`, for the C++ test to compare against its presets."""
import sys

import timm
import torch

torch.set_default_device("meta")  # shapes only: nothing is allocated
for name in sys.argv[1:]:
    model = timm.create_model(name, pretrained=False, num_classes=10)
    for n, p in model.state_dict().items():
        print(name, n, "x".join(str(d) for d in p.shape))
