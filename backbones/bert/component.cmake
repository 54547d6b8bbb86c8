adaptlab_component(backbone NAMES bert pretrained_text SOURCES encoder.cpp pretrained_text.cpp register.cpp
                   REGISTER register_bert)
