adaptlab_component(backbone NAMES t5 SOURCES t5.cpp t5_decoder.cpp pretrained_t5.cpp register.cpp
                   REGISTER register_t5)
