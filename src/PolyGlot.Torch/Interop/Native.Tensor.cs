using System.Runtime.InteropServices;

namespace PolyGlot.Torch.Interop;

/// <summary>Creation kinds of <c>pg_tensor_create</c> (pg_tensor.cpp, enum Creation).</summary>
internal enum Creation
{
    Empty = 0,
    Zeros = 1,
    Ones = 2,
    Full = 3,
    Randn = 4,
    Rand = 5,
}

/// <summary>Tensor lifetime, metadata, creation and data exchange (pg_tensor.cpp).</summary>
internal static unsafe partial class Native
{
    [LibraryImport(Library, EntryPoint = "pg_tensor_free")]
    public static partial void TensorFree(nint t);

    [LibraryImport(Library, EntryPoint = "pg_tensor_live_count")]
    [SuppressGCTransition]
    public static partial long TensorLiveCount();

    [LibraryImport(Library, EntryPoint = "pg_tensor_alias")]
    public static partial nint TensorAlias(nint t);

    [LibraryImport(Library, EntryPoint = "pg_tensor_dim")]
    [SuppressGCTransition]
    public static partial long TensorDim(nint t);

    [LibraryImport(Library, EntryPoint = "pg_tensor_numel")]
    [SuppressGCTransition]
    public static partial long TensorNumel(nint t);

    [LibraryImport(Library, EntryPoint = "pg_tensor_sizes")]
    [SuppressGCTransition]
    public static partial void TensorSizes(nint t, long* output);

    [LibraryImport(Library, EntryPoint = "pg_tensor_size")]
    public static partial int TensorSize(nint t, long dim, long* output);

    [LibraryImport(Library, EntryPoint = "pg_tensor_dtype")]
    [SuppressGCTransition]
    public static partial int TensorDType(nint t);

    [LibraryImport(Library, EntryPoint = "pg_tensor_device_type")]
    [SuppressGCTransition]
    public static partial int TensorDeviceType(nint t);

    [LibraryImport(Library, EntryPoint = "pg_tensor_device_index")]
    [SuppressGCTransition]
    public static partial int TensorDeviceIndex(nint t);

    [LibraryImport(Library, EntryPoint = "pg_tensor_is_contiguous")]
    [SuppressGCTransition]
    public static partial int TensorIsContiguous(nint t);

    [LibraryImport(Library, EntryPoint = "pg_tensor_item")]
    public static partial int TensorItem(nint t, double* output);

    [LibraryImport(Library, EntryPoint = "pg_tensor_item_long")]
    public static partial int TensorItemLong(nint t, long* output);

    [LibraryImport(Library, EntryPoint = "pg_tensor_create")]
    public static partial nint TensorCreate(Creation kind, long* shape, long ndim, double value, int dtype,
        int deviceType, int deviceIndex, int requiresGrad);

    [LibraryImport(Library, EntryPoint = "pg_tensor_arange")]
    public static partial nint TensorArange(double start, double end, double step, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Library, EntryPoint = "pg_tensor_randint")]
    public static partial nint TensorRandInt(long low, long high, long* shape, long ndim, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Library, EntryPoint = "pg_tensor_create_like")]
    public static partial nint TensorCreateLike(Creation kind, nint t, double value);

    [LibraryImport(Library, EntryPoint = "pg_tensor_from_data")]
    public static partial nint TensorFromData(void* data, long bytes, long* shape, long ndim, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Library, EntryPoint = "pg_tensor_from_data_async")]
    public static partial nint TensorFromDataAsync(void* data, long bytes, long* shape, long ndim, int dtype, int deviceType, int deviceIndex);

    [LibraryImport(Library, EntryPoint = "pg_tensor_copy_to")]
    public static partial int TensorCopyTo(nint t, void* data, long bytes);

    [LibraryImport(Library, EntryPoint = "pg_tensor_copy_from")]
    public static partial int TensorCopyFrom(nint t, void* data, long bytes);

    [LibraryImport(Library, EntryPoint = "pg_tensor_to")]
    public static partial nint TensorTo(nint t, int dtype, int deviceType, int deviceIndex, int nonBlocking, int copy);

    [LibraryImport(Library, EntryPoint = "pg_tensor_clone")]
    public static partial nint TensorClone(nint t);

    [LibraryImport(Library, EntryPoint = "pg_tensor_contiguous")]
    public static partial nint TensorContiguous(nint t);

    [LibraryImport(Library, EntryPoint = "pg_tensor_index_add_")]
    public static partial int TensorIndexAdd(nint t, long dim, nint index, nint source);

    [LibraryImport(Library, EntryPoint = "pg_tensor_to_string")]
    public static partial int TensorToString(nint t, byte* buffer, long capacity, long* needed);

    [LibraryImport(Library, EntryPoint = "pg_tensor_storage_resize")]
    public static partial int TensorStorageResize(nint t, long bytes);

    [LibraryImport(Library, EntryPoint = "pg_tensor_storage_nbytes")]
    [SuppressGCTransition]
    public static partial long TensorStorageNBytes(nint t);

    [LibraryImport(Library, EntryPoint = "pg_tensor_untracked_alias")]
    public static partial nint TensorUntrackedAlias(nint t);
}
