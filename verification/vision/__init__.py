"""Face pipeline: detection (RetinaFace), tracks per participant, face mesh, iris, head pose, crops.

Entry point: `pipeline.create_face_pipeline(loader, options)` -> `pipeline.FacePipeline`, whose
`process(image_bgr, pts)` returns `types.FaceObservation`s. Models arrive as ready onnxruntime
sessions; nothing here loads files or picks execution providers.
"""
