adaptlab_component(backbone NAMES vit SOURCES vit.cpp vit_npz.cpp)
