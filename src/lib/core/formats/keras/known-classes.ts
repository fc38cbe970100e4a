const words = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));

/** Module roots whose objects Keras deserialises without user code (from Keras, TF and their numerics). */
export const SAFE_MODULE_ROOTS = words(
  'keras tensorflow tf tf_keras numpy math keras_nlp keras_cv keras_hub'
);

/**
 * Module roots that give code execution, process, file, network or import access when a config resolves an
 * object from them (the ModelAudit list for CVE-2025-1550, plus a few with the same powers).
 */
export const DANGEROUS_MODULE_ROOTS = words(`
  __builtin__ builtins code codeop commands compileall ctypes distutils http importlib marshal multiprocessing
  os posix nt pdb pickle pip profile pty runpy setuptools shutil signal socket subprocess sys tempfile
  threading trace webbrowser urllib urllib2 requests io pathlib glob dill cloudpickle joblib torch
  __main__
`);

/** Keras' own serialisation markers (Keras 3 saving_lib), not user classes. */
export const SERIALISATION_MARKERS = words(`
  __tuple__ __list__ __numpy__ __bytes__ __tensor__ __typespec__ __keras_tensor__ __ellipsis__ __slice__
  __complex__ __numpy_dtype__ __lambda__ function
`);

/** Class names Keras 2/3 resolve from its own registry (layers, models, initializers, optimizers, …). */
export const KERAS_CLASSES = words(`
  Sequential Functional Model InputLayer Input Dense EinsumDense Activation Dropout SpatialDropout1D
  SpatialDropout2D SpatialDropout3D GaussianDropout GaussianNoise AlphaDropout Flatten Reshape Permute
  RepeatVector Masking Embedding Conv1D Conv2D Conv3D Conv1DTranspose Conv2DTranspose Conv3DTranspose
  SeparableConv1D SeparableConv2D DepthwiseConv1D DepthwiseConv2D Convolution1D Convolution2D Convolution3D
  Cropping1D Cropping2D Cropping3D UpSampling1D UpSampling2D UpSampling3D ZeroPadding1D ZeroPadding2D
  ZeroPadding3D MaxPooling1D MaxPooling2D MaxPooling3D MaxPool1D MaxPool2D MaxPool3D AveragePooling1D
  AveragePooling2D AveragePooling3D AvgPool1D AvgPool2D AvgPool3D GlobalMaxPooling1D GlobalMaxPooling2D
  GlobalMaxPooling3D GlobalAveragePooling1D GlobalAveragePooling2D GlobalAveragePooling3D GlobalMaxPool1D
  GlobalMaxPool2D GlobalMaxPool3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D LSTM GRU SimpleRNN RNN
  LSTMCell GRUCell SimpleRNNCell StackedRNNCells Bidirectional TimeDistributed ConvLSTM1D ConvLSTM2D
  ConvLSTM3D ConvLSTM2DCell CuDNNLSTM CuDNNGRU Attention AdditiveAttention MultiHeadAttention
  GroupQueryAttention BatchNormalization LayerNormalization GroupNormalization UnitNormalization
  SpectralNormalization RMSNormalization Normalization Add Subtract Multiply Average Maximum Minimum
  Concatenate Dot ReLU LeakyReLU PReLU ELU ThresholdedReLU Softmax Rescaling Resizing CenterCrop
  RandomCrop RandomFlip RandomRotation RandomZoom RandomContrast RandomBrightness RandomTranslation
  RandomHeight RandomWidth Discretization CategoryEncoding Hashing HashedCrossing IntegerLookup StringLookup
  TextVectorization Identity Wrapper ActivityRegularization Bidirectional TFOpLambda SlicingOpLambda
  InstanceNormalization LocallyConnected1D LocallyConnected2D DenseFeatures SyncBatchNormalization
  GlorotUniform GlorotNormal HeUniform HeNormal LecunUniform LecunNormal Orthogonal Identity Zeros Ones
  Constant RandomNormal RandomUniform TruncatedNormal VarianceScaling IdentityInitializer OrthogonalInitializer
  L1 L2 L1L2 OrthogonalRegularizer MaxNorm MinMaxNorm NonNeg UnitNorm RadialConstraint
  Adam AdamW Adamax Adagrad Adadelta Adafactor Ftrl Lion Nadam RMSprop SGD LossScaleOptimizer
  ExponentialDecay PiecewiseConstantDecay PolynomialDecay InverseTimeDecay CosineDecay CosineDecayRestarts
  MeanSquaredError MeanAbsoluteError MeanAbsolutePercentageError MeanSquaredLogarithmicError
  BinaryCrossentropy BinaryFocalCrossentropy CategoricalCrossentropy CategoricalFocalCrossentropy
  SparseCategoricalCrossentropy Hinge SquaredHinge CategoricalHinge Huber LogCosh KLDivergence Poisson
  CosineSimilarity Tversky Dice CTC MeanMetricWrapper Mean Sum Accuracy BinaryAccuracy CategoricalAccuracy
  SparseCategoricalAccuracy TopKCategoricalAccuracy SparseTopKCategoricalAccuracy AUC Precision Recall
  TruePositives TrueNegatives FalsePositives FalseNegatives MeanIoU IoU BinaryIoU OneHotIoU OneHotMeanIoU
  RootMeanSquaredError R2Score F1Score FBetaScore LogCoshError PrecisionAtRecall RecallAtPrecision
  SensitivityAtSpecificity SpecificityAtSensitivity DTypePolicy Policy FloatDTypePolicy QuantizedDTypePolicy
  Lambda TorchModuleWrapper TFSMLayer InputSpec TensorShape TypeSpec TensorSpec RaggedTensorSpec SparseTensorSpec KerasTensor Node
`);
