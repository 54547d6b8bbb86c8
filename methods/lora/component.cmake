adaptlab_component(method NAMES lora SOURCES lora.cpp lora_ops.cpp)
