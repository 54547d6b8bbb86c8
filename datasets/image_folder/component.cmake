adaptlab_component(dataset NAMES image_folder SOURCES image_folder.cpp)
