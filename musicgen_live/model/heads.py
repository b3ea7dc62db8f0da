"""What the model heads are and how they weigh in the total loss (no TensorFlow here)."""

HEADS = ("pitch", "step", "duration", "velocity")
LOSS_WEIGHTS = {"pitch": 1.0, "step": 1.0, "duration": 1.0, "velocity": 1.0}
# Exported models emit one row: 128 pitch logits, then step, duration, velocity (0-1).
OUTPUT_WIDTH = 131
VELOCITY_SCALE = 127.0
