adaptlab_component(method NAMES lora SOURCES lora.cpp)
